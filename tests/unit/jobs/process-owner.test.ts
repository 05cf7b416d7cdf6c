import { describe, expect, it } from 'vitest';
import { ownerIsGone, processOwner } from '../../../src/core/jobs/process-owner';

const noSuchProcess = () => {
  throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
};
const otherUsersProcess = () => {
  throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
};

describe('process owners of job runs', () => {
  it('signs runs with host, process id and a suffix that tells reused ids apart', () => {
    const owner = processOwner('desk-7', 4242);
    expect(owner).toMatch(/^desk-7:4242:[0-9a-f]{8}$/);
    expect(processOwner('desk-7', 4242)).not.toBe(owner);
  });

  it('calls an owner on this host gone only when its process no longer exists', () => {
    expect(ownerIsGone('desk-7:4242:ab12cd34', 'desk-7', noSuchProcess)).toBe(true);
    expect(ownerIsGone('desk-7:4242:ab12cd34', 'desk-7', () => undefined)).toBe(false);
    expect(ownerIsGone('desk-7:4242:ab12cd34', 'desk-7', otherUsersProcess)).toBe(false);
  });

  it('leaves owners on other hosts and unknown shapes to their heartbeat', () => {
    expect(ownerIsGone('desk-8:4242:ab12cd34', 'desk-7', noSuchProcess)).toBe(false);
    expect(ownerIsGone('app', 'desk-7', noSuchProcess)).toBe(false);
    expect(ownerIsGone('desk-7:pid:ab12cd34', 'desk-7', noSuchProcess)).toBe(false);
  });

  it('knows this very process is alive', () => {
    expect(ownerIsGone(processOwner())).toBe(false);
  });
});
