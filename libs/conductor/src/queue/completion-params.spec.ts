import { completionParams, completionStatementName } from './completion-params';

describe('completionParams', () => {
  const items = [
    { lease: '42', resultJson: 'null' },
    { lease: '9007199254740993', resultJson: '{"quote":"a \\"b\\"","n":[1,2]}' },
    { lease: '7', resultJson: '"text"' },
  ];

  it('sends only the leases when finished executions are not kept', () => {
    expect(completionStatementName(0)).toBe('complete_executions_unretained');
    expect(completionParams(items, 0)).toEqual(['{42,9007199254740993,7}']);
  });

  it('adds the results that are not null, keyed by lease, when they are kept', () => {
    expect(completionStatementName(1)).toBe('complete_executions');
    const [leases, results] = completionParams(items, 1);
    expect(leases).toBe('{42,9007199254740993,7}');
    expect(JSON.parse(results!)).toEqual({ '9007199254740993': { quote: 'a "b"', n: [1, 2] }, '7': 'text' });
  });

  it('sends no results document when every result is null', () => {
    expect(completionParams([{ lease: '1', resultJson: 'null' }], 60_000)).toEqual(['{1}', null]);
    expect(completionParams([], 60_000)).toEqual(['{}', null]);
  });
});
