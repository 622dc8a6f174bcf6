import { completionStatement } from './completion-params';

describe('completionStatement', () => {
  const items = [
    { lease: '42', resultJson: 'null' },
    { lease: '9007199254740993', resultJson: '{"quote":"a \\"b\\"","n":[1,2]}' },
    { lease: '7', resultJson: '"text"' },
  ];

  it('sends only the leases when finished executions are not kept', () => {
    expect(completionStatement(items, 0)).toEqual({
      name: 'complete_executions_unretained',
      params: ['{42,9007199254740993,7}'],
    });
  });

  it('adds the results that are not null, keyed by lease, when they are kept', () => {
    const { name, params } = completionStatement(items, 1);
    expect(name).toBe('complete_executions');
    expect(params[0]).toBe('{42,9007199254740993,7}');
    expect(JSON.parse(params[1]!)).toEqual({ '9007199254740993': { quote: 'a "b"', n: [1, 2] }, '7': 'text' });
  });

  it('sends no results document when every result is null', () => {
    expect(completionStatement([{ lease: '1', resultJson: 'null' }], 60_000).params).toEqual(['{1}', null]);
    expect(completionStatement([], 60_000).params).toEqual(['{}', null]);
  });
});
