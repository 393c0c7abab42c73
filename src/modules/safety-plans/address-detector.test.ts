import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAddress, namesAnyone } from './address-detector.ts';

describe('findAddress', () => {
  describe('finds a postcode', () => {
    for (const text of [
      'Post the spare key to SG1 2AB',
      'sg1 2ab',
      'SG12AB',
      'Meet at M1 1AE after work',
      'W1A 0AX is the office',
      'EC1A 1BB',
      'The refuge is near CR2 6XH.',
      'B33 8TH',
      'GIR 0AA',
    ])
      it(`in "${text}"`, () => assert.deepEqual(findAddress(text), { kind: 'postcode' }));
  });

  describe('finds a street address', () => {
    for (const text of [
      'Spare key with the neighbour at 14 Acacia Avenue',
      'Lives at 3a Mill Lane',
      '22 The Close',
      'Flat 2, 14 High Street',
      '7 NORTH ROAD',
      'Park at 101 Station Rd. instead',
      'Drop the children at 9 Long Meadow Way',
      'her mum is at 14 acacia avenue',
      'go to 3 mill lane if scared',
    ])
      it(`in "${text}"`, () => assert.deepEqual(findAddress(text), { kind: 'street_address' }));
  });

  describe('leaves ordinary words alone', () => {
    for (const text of [
      'Fit a video doorbell and a chain on the front door',
      'Take 2 buses the other way home',
      'Drive 2 miles down the road to the petrol station if followed',
      'Walk 5 minutes up the lane with a friend',
      'Check the phone for stalkerware every 2 weeks',
      'Call 999 and press 55',
      'Keep 3 copies of every screenshot',
      'Turn off location sharing in Find My',
      'Use the 24 hour shop on the corner as a safe place',
      'A bag ready by the door with 20 pounds',
      'Vary the route to work on 2 days a week',
      '',
    ])
      it(`in "${text}"`, () => assert.equal(findAddress(text), null));
  });
});

describe('namesAnyone', () => {
  const names = ['Alex Sample', 'Dima', 'Дмитрий Волков', 'Will Stone'];

  it('finds a whole name or alias, whatever the case', () => {
    assert.equal(namesAnyone('Block alex sample on every app', names), true);
    assert.equal(namesAnyone('If DIMA calls, do not answer', names), true);
    assert.equal(namesAnyone('Если Дмитрий Волков позвонит', names), true);
  });

  it('finds a part of a name written as a name', () => {
    assert.equal(namesAnyone('Tell reception Sample is not allowed in', names), true);
    assert.equal(namesAnyone('Screenshot anything from Stone', names), true);
  });

  it('ignores accents', () => {
    assert.equal(namesAnyone('Call if Zoé turns up', ['Zoe Smith']), true);
  });

  it('does not find a name part used as an ordinary word', () => {
    assert.equal(namesAnyone('She will call the police', names), false);
    assert.equal(namesAnyone('Keep a sample of the letters', names), false);
    assert.equal(namesAnyone('Lock the back door', names), false);
    assert.equal(namesAnyone('Anything', []), false);
  });
});
