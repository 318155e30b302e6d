// Hand-written EPCIS 2.0 custody events for ledger tests (the builders in schemas/epcis make the gateway's).

export const EPCIS_CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { cbvmda: 'urn:epcglobal:cbv:mda:' },
];

export function commissioningEvent(o: {
  gtin: string;
  serials: readonly string[];
  location: string;
  lot?: string;
  expiry?: string;
  eventTime?: string;
}): Record<string, unknown> {
  return {
    type: 'ObjectEvent',
    eventTime: o.eventTime ?? '2026-11-20T10:00:00.000Z',
    eventTimeZoneOffset: '+00:00',
    epcList: o.serials.map((s) => `https://id.gs1.org/01/${o.gtin}/21/${s}`),
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    readPoint: { id: o.location },
    bizLocation: { id: o.location },
    ilmd: { 'cbvmda:lotNumber': o.lot ?? 'LOT1', 'cbvmda:itemExpirationDate': o.expiry ?? '2028-12-31' },
    '@context': EPCIS_CONTEXT,
  };
}
