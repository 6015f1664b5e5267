import { Kind, OperationDefinitionNode, parse } from 'graphql';
import { INVALID_OPERATION, operationLabel } from '../../server/operationLabel';

const labelOf = (source: string) => {
  const document = parse(source);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  return operationLabel(document, operation);
};

describe('the metrics label of an operation', () => {
  test('names the operation type and its first root field, whatever the client called it', () => {
    expect(labelOf('query Anything { b: serviceInfo { version } }')).toBe('query:serviceInfo');
    expect(labelOf('query { serviceInfo { version } customer(id: "1") { id } }')).toBe('query:customer+more');
    expect(labelOf('mutation M { ...F } fragment F on Mutation { recordEvents(events: []) { index } }')).toBe('mutation:recordEvents');
  });

  test('an operation selecting nothing it can name is labelled invalid', () => {
    expect(labelOf('query { ...Missing }')).toBe(INVALID_OPERATION);
  });

  test('a fragment bomb (each fragment spreading the next twice) is read in linear time', () => {
    const depth = 40;
    const fragments = Array.from({ length: depth }, (_, i) =>
      i === depth - 1 ? `fragment F${i} on Query { serviceInfo { version } }` : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    );
    const started = process.hrtime.bigint();
    expect(labelOf(`query { ...F0 } ${fragments.join(' ')}`)).toBe('query:serviceInfo');
    // 2^40 spreads if each were walked; a bound of seconds only guards against that, it measures nothing.
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(5);
  });
});
