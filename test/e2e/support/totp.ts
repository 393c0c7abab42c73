// Codes from a person's authenticator, as their phone would show them. The server accepts a 30-second step
// once per person and allows one step of drift either way, so a second sign-in soon after the first uses
// the next step's code; only a third within the same step has to wait for time to move on.
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';
import { person, updatePerson } from './run-state.ts';

const PERIOD_MS = 30_000;

function authenticator(secret: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
}

const stepAt = (timestamp: number) => Math.floor(timestamp / PERIOD_MS);

/** A code the server has not seen from this person yet; it is recorded as used. */
export async function freshCode(key: string): Promise<string> {
  const { secret, lastStep } = person(key);
  if (!secret) throw new Error(`${key} has not set up an authenticator yet`);
  const wanted = Math.max(stepAt(Date.now()), (lastStep ?? -1) + 1);
  // Codes from the next step are accepted; any later one only once the clock has moved on.
  const usableFrom = (wanted - 1) * PERIOD_MS + 500;
  if (Date.now() < usableFrom) await sleep(usableFrom - Date.now());
  updatePerson(key, { lastStep: wanted });
  return authenticator(secret).generate({ timestamp: wanted * PERIOD_MS });
}

/** Six digits that are not this person's code for any step the server would accept now. */
export function wrongCode(key: string): string {
  const { secret } = person(key);
  if (!secret) throw new Error(`${key} has not set up an authenticator yet`);
  const now = stepAt(Date.now());
  const accepted = new Set(
    [-2, -1, 0, 1, 2].map((offset) =>
      authenticator(secret).generate({ timestamp: (now + offset) * PERIOD_MS }),
    ),
  );
  for (let candidate = 0; ; candidate += 111_111) {
    const code = String(candidate % 1_000_000).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}
