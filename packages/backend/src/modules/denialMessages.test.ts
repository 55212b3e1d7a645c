import { createDenialMessages, DENIAL_MESSAGE } from './denialMessages';

function send(statusCode: number, body: unknown) {
  const sent: unknown[] = [];
  const res = {
    statusCode,
    json: (b: unknown) => sent.push(JSON.parse(JSON.stringify(b))),
  };
  createDenialMessages()({}, res, () => {});
  res.json(body);
  return sent[0] as any;
}

describe('denial messages', () => {
  it('explains an empty permission refusal', () => {
    const body = send(403, { error: { name: 'NotAllowedError', message: '' } });
    expect(body.error.message).toBe(DENIAL_MESSAGE);
  });

  it("keeps a plugin's own reason, and leaves other answers alone", () => {
    expect(
      send(403, { error: { name: 'NotAllowedError', message: 'Not yours' } })
        .error.message,
    ).toBe('Not yours');
    expect(
      send(400, { error: { name: 'InputError', message: '' } }).error.message,
    ).toBe('');
    expect(send(200, { items: [] })).toEqual({ items: [] });
  });
});
