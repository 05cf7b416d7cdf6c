import type { ReactNode } from 'react';

export interface DataColumn {
  label: string;
  /** Words rather than numbers or times, so the column is aligned to the left. */
  text?: boolean;
  /** Named for screen readers only, like the column of row actions. */
  unlabelled?: boolean;
  /** What the column's figure means, shown on hover. */
  help?: string;
}

/** A Data screen table: a caption for screen readers, a header row from `columns`, and the rows given. */
export function DataTable({
  caption,
  columns,
  wide = false,
  testId,
  className,
  children,
}: {
  caption: string;
  columns: readonly DataColumn[];
  /** Spans the section, for tables with many columns. */
  wide?: boolean;
  testId?: string;
  /** Added to the table's own classes. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <table className={['data-table', wide && 'data-table--wide', className].filter(Boolean).join(' ')} data-testid={testId}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col" className={column.text ? 'data-table__text' : undefined} title={column.help}>
              {column.unlabelled ? <span className="visually-hidden">{column.label}</span> : column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
