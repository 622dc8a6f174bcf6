import { completionDocument, completionStatementName } from './completion-document';

describe('completionDocument', () => {
  it('builds the JSON the completion statements read, results kept as encoded', () => {
    const items = [
      { id: '0193a5b0-0000-7000-8000-000000000001', lease: '42', resultJson: 'null' },
      { id: '0193a5b0-0000-7000-8000-000000000002', lease: '9007199254740993', resultJson: '{"quote":"a \\"b\\"","n":[1,2]}' },
    ];
    const text = completionDocument(items);
    expect(JSON.parse(text)).toEqual([
      { id: items[0].id, lease: 42, result: null },
      { id: items[1].id, lease: 9007199254740992, result: { quote: 'a "b"', n: [1, 2] } },
    ]);
    // The lease stays exact in the text: PostgreSQL reads it as bigint, not as a JavaScript number.
    expect(text).toContain('"lease":9007199254740993');
    expect(completionDocument([])).toBe('[]');
  });

  it('picks the statement that keeps finished executions only when they are retained', () => {
    expect(completionStatementName(0)).toBe('complete_executions_unretained');
    expect(completionStatementName(1)).toBe('complete_executions');
  });
});
