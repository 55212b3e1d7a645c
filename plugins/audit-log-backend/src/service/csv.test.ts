import { csvField, csvHeader, csvRow } from './csv';

describe('CSV export', () => {
  it('quotes fields holding commas, quotes or line breaks and doubles inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(undefined)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe(
      '"\'=HYPERLINK(""http://evil"")"',
    );
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes one line per event under the header, meta as JSON', () => {
    const line = csvRow({
      id: '1',
      time: '2026-11-20T10:00:00.000Z',
      plugin: 'catalog',
      eventId: 'entity-mutate',
      severity: 'medium',
      status: 'failed',
      actor: { actorId: 'user:default/jane', ip: '::1' },
      target: 'component:default/payments',
      error: { name: 'NotAllowedError', message: 'no, really' },
      request: { method: 'DELETE', url: '/api/catalog/entities/by-uid/1' },
      meta: { actionType: 'delete' },
    });

    expect(csvHeader()).toBe(
      'time,plugin,eventId,severity,status,actorId,ip,userAgent,hostname,target,errorName,errorMessage,requestMethod,requestUrl,meta\r\n',
    );
    expect(line).toBe(
      '2026-11-20T10:00:00.000Z,catalog,entity-mutate,medium,failed,user:default/jane,::1,,,component:default/payments,NotAllowedError,"no, really",DELETE,/api/catalog/entities/by-uid/1,"{""actionType"":""delete""}"\r\n',
    );
  });
});
