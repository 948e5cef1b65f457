// The startup banner (spec §10): URL, routes, and the pairing box, "pairing active" or "pairing disabled".

export interface BannerInput {
  url: string;
  pairingCode: string | null;
  requirePairing: boolean;
  prometheus: boolean;
  /** Configuration problems the operator should fix (e.g. WhatsApp without an app secret). */
  warnings?: readonly string[];
}

export function renderBanner(input: BannerInput): string {
  const lines = [
    '',
    `clawgate gateway listening on ${input.url}`,
    '',
    '  GET  /health     health snapshot (public)',
    `  GET  /metrics    Prometheus metrics${input.prometheus ? '' : ' (disabled: set [observability] backend = "prometheus")'}`,
    '  POST /pair       exchange the one-time code for a bearer token (X-Pairing-Code)',
    '  POST /webhook    send a message: {"message": "..."} (Authorization: Bearer <token>)',
    '  GET  /whatsapp   Meta webhook verification',
    '  POST /whatsapp   WhatsApp Business messages',
    '',
  ];
  if (!input.requirePairing) {
    lines.push('  Pairing disabled: /webhook accepts requests without a bearer token.');
  } else if (input.pairingCode === null) {
    lines.push('  Pairing active: clients are paired; a new code needs `clawgate pair new-code` or a restart with no tokens.');
  } else {
    lines.push(...box([
      `One-time pairing code: ${input.pairingCode}`,
      '',
      `curl -X POST ${input.url}/pair \\`,
      `     -H "X-Pairing-Code: ${input.pairingCode}"`,
    ]));
  }
  if (input.warnings !== undefined && input.warnings.length > 0) {
    lines.push('', ...input.warnings.map((warning) => `  ! ${warning}`));
  }
  lines.push('', '');
  return lines.join('\n');
}

function box(content: string[]): string[] {
  const width = Math.max(...content.map((line) => line.length));
  return [
    `  ┌${'─'.repeat(width + 2)}┐`,
    ...content.map((line) => `  │ ${line.padEnd(width)} │`),
    `  └${'─'.repeat(width + 2)}┘`,
  ];
}
