import type { MethodName, MethodOutput, ParsedInput } from '../shared/contract';

export type Handler<M extends MethodName> = (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
export type HandlerMap = { [M in MethodName]?: Handler<M> };
export type CompleteHandlerMap = { [M in MethodName]: Handler<M> };
