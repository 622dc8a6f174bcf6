import { type PreparedItem, documentParams, insertValues, uniformParams } from './insert-params';
import { freshUuidArray, uuidArrayParam } from './uuid-array-param';

const A = '0192f0e1-7b2c-7abc-8def-00000000000a';
const B = '0192f0e1-7b2c-7abc-8def-00000000000b';
const C = '0192f0e1-7b2c-7abc-8def-00000000000c';

function item(id: string, payload: string, overrides: Partial<PreparedItem> = {}): PreparedItem {
  return { id, task: 'mail', queue: 'default', maxAttempts: 5, payload, optionMembers: '', ...overrides };
}

describe('uniformParams', () => {
  it('sends the ids as a binary uuid[] and joins the payloads by U+001E when every item shares task, queue and attempts', () => {
    const items = [item(A, '{"n":1}'), item(B, '"x,y"'), item(C, 'null')];
    expect(uniformParams(items)).toEqual({
      ids: uuidArrayParam([A, B, C]),
      payloads: '{"n":1}\u001e"x,y"\u001enull',
      common: { task: 'mail', queue: 'default', maxAttempts: 5 },
    });
  });

  it.each([
    ['an option', { optionMembers: ',"priority":3' }],
    ['another task', { task: 'sms' }],
    ['another queue', { queue: 'bulk' }],
    ['other attempts', { maxAttempts: 2 }],
  ])('leaves a batch to the JSON document when its last item has %s', (_, overrides) => {
    expect(uniformParams([item(A, '1'), item(B, '2', overrides)])).toBeUndefined();
  });

  it('takes the ids in binary form as given for a fresh batch, and refuses them for another number of items', () => {
    const { param, ids } = freshUuidArray(2);
    const items = [item(ids[0], '1'), item(ids[1], '2')];
    expect(uniformParams(items, param)).toEqual(uniformParams(items));
    const given = uniformParams(items, param);
    expect(given && 'ids' in given ? given.ids : undefined).toBe(param);
    expect(() => uniformParams([...items, item(C, '3')], param)).toThrow('do not match the 3 items');
  });
});

describe('documentParams', () => {
  it('names task, queue and attempts only where an item differs from the first, options after the payload', () => {
    const items = [item('a', '{"n":1}'), item('b', '2', { task: 'sms', maxAttempts: 2, optionMembers: ',"priority":3' })];
    const params = documentParams(items);
    expect(params).toEqual({
      document: '[{"id":"a","payload":{"n":1}},{"id":"b","task":"sms","max_attempts":2,"payload":2,"priority":3}]',
      common: { task: 'mail', queue: 'default', maxAttempts: 5 },
    });
    expect(JSON.parse((params as { document: string }).document)).toHaveLength(2);
  });
});

describe('insertValues', () => {
  it('puts the batch first, the channel second, then the common task, queue and attempts; the payloads last', () => {
    const items = [item(A, '1'), item(B, '2')];
    expect(insertValues(uniformParams(items)!, 'chan')).toEqual([
      uuidArrayParam([A, B]),
      'chan',
      'mail',
      'default',
      5,
      '1\u001e2',
    ]);
    const document = documentParams(items);
    expect(insertValues(document, 'chan')).toEqual([(document as { document: string }).document, 'chan', 'mail', 'default', 5]);
  });
});
