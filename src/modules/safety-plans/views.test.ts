import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aContact, anAction, aPlan } from '../../../test/support/safety-plans.ts';
import { changeSummary, openActionCount } from './plan.ts';
import { portalPlan } from './portal-view.ts';
import { safeToPrint } from './print-view.ts';
import { sharingContextOf, sharingProblem } from './sharing.ts';

const perpetratorNames = ['Alex Sample', 'Lexi'];

/** A plan with something of everything: shared and unshared actions, contacts, a code word, a review date. */
function fullPlan() {
  return aPlan()
    .with(
      'home-security',
      anAction({ what: 'Fit a video doorbell', who: 'caseworker' }),
      anAction({ what: 'Leave a light on in the hall', who: 'client', shared: false }),
      anAction({ what: 'Ask the landlord to change the locks', status: 'not_needed' }),
    )
    .with(
      'travel-and-routines',
      anAction({ what: 'Vary the route to work', who: 'client', reviewOn: '2027-01-08' }),
    )
    .with(
      'phone-and-online',
      anAction({ what: 'Check the phone for stalkerware', who: 'other', whoName: 'Rhys at the phone shop' }),
    )
    .with('emergency-contacts', anAction({ what: 'Tell my sister the code word', who: 'client' }))
    .with('emergency', anAction({ what: 'Go to the 24 hour garage and ask them to call 999', who: 'client' }))
    .with('children', anAction({ what: 'Tell the school who may collect', shared: false }))
    .withContact(aContact({ name: 'Bronwen Tallis', phone: '07700 900461' }))
    .withCodeWord('kingfisher')
    .reviewedOn('2027-02-01')
    .build();
}

const everyWord = (value: unknown) => JSON.stringify(value);

describe('safeToPrint', () => {
  it('has a neutral title and neutral headings, with only the shared actions still wanted', () => {
    const plan = fullPlan();
    const printed = safeToPrint(plan, sharingContextOf(plan, perpetratorNames));
    assert.equal(printed.title, 'My plan');
    assert.deepEqual(
      printed.sections.map((section) => section.heading),
      ['At home', 'Getting about', 'Phone and online', 'People I can call'],
    );
    assert.deepEqual(printed.sections[0]?.actions, [
      { what: 'Fit a video doorbell', who: 'My support worker', status: 'To do', review: null },
    ]);
    assert.equal(printed.sections[1]?.actions[0]?.review, '8 January 2027');
    assert.equal(printed.sections[2]?.actions[0]?.who, 'Rhys at the phone shop');
    assert.equal(printed.emergency.steps[0], 'Go to the 24 hour garage and ask them to call 999');
    assert.match(printed.emergency.steps.at(-1) ?? '', /press 55/);
  });

  it('leaves out the code word, the contacts, unshared actions and the plan’s own review date', () => {
    const plan = fullPlan();
    const text = everyWord(safeToPrint(plan, sharingContextOf(plan, perpetratorNames)));
    for (const absent of [
      'kingfisher',
      'Bronwen Tallis',
      '07700 900461',
      'Knows the code word',
      'Leave a light on in the hall',
      'Tell the school who may collect',
      'Ask the landlord to change the locks',
      '1 February 2027',
      'Home security',
      'safety',
    ])
      assert.ok(!text.includes(absent), `the printed plan does not say "${absent}"`);
  });

  it('drops a shared action that gives away an address, a name, the code word or a contact’s phone', () => {
    const plan = aPlan()
      .with(
        'home-security',
        anAction({ what: 'Spare key is with 14 Acacia Avenue' }),
        anAction({ what: 'Send post to SG1 2AB' }),
        anAction({ what: 'If Sample turns up, call 999' }),
        anAction({ what: 'Say kingfisher to Bronwen' }),
        anAction({ what: 'Ring 07700900461 if scared' }),
        anAction({ what: 'Lock the back gate' }),
      )
      .withContact(aContact({ phone: '07700 900461' }))
      .withCodeWord('Kingfisher')
      .build();
    const printed = safeToPrint(plan, sharingContextOf(plan, perpetratorNames));
    assert.deepEqual(
      printed.sections.flatMap((section) => section.actions.map((action) => action.what)),
      ['Lock the back gate'],
    );
  });

  it('prints only the emergency steps anyone can take when nothing is shared', () => {
    const plan = aPlan()
      .with('home-security', anAction({ shared: false }))
      .build();
    const printed = safeToPrint(plan, sharingContextOf(plan, []));
    assert.deepEqual(printed.sections, []);
    assert.equal(printed.emergency.steps.length, 2);
  });
});

describe('portalPlan', () => {
  it('shows the client their shared actions and the emergency steps', () => {
    const plan = fullPlan();
    const portal = portalPlan(plan, sharingContextOf(plan, perpetratorNames));
    assert.deepEqual(
      portal.sections.map((section) => section.key),
      ['home-security', 'travel-and-routines', 'phone-and-online', 'emergency-contacts'],
    );
    assert.deepEqual(portal.sections[1]?.actions, [
      { what: 'Vary the route to work', who: 'You', status: 'To do', reviewOn: '2027-01-08' },
    ]);
    assert.equal(portal.emergencySteps[0], 'Go to the 24 hour garage and ask them to call 999');
    assert.ok(portal.emergencySteps.some((step) => step.includes('999')));
  });

  it('never carries the code word, the contacts or what is not shared', () => {
    const plan = fullPlan();
    const text = everyWord(portalPlan(plan, sharingContextOf(plan, perpetratorNames)));
    for (const absent of [
      'kingfisher',
      'Bronwen',
      '900461',
      'Leave a light on',
      'who may collect',
      'landlord',
    ])
      assert.ok(!text.includes(absent), `the portal view does not say "${absent}"`);
  });
});

describe('sharingProblem', () => {
  const context = { perpetratorNames, codeWord: 'kingfisher', contactPhones: ['+44 7700 900461'] };
  it('says why words may not be shared', () => {
    assert.equal(sharingProblem('post to SG1 2AB', context), 'postcode');
    assert.equal(sharingProblem('at 3 Mill Lane', context), 'street_address');
    assert.equal(sharingProblem('block Lexi everywhere', context), 'perpetrator');
    assert.equal(sharingProblem('text KINGFISHER to mum', context), 'code_word');
    assert.equal(sharingProblem('ring 07700 900461', context), 'contact_phone');
    assert.equal(sharingProblem('lock the gate', context), null);
  });
});

describe('changeSummary', () => {
  it('says the plan was created and what it first held', () => {
    const plan = aPlan().with('home-security', anAction(), anAction()).build();
    assert.equal(changeSummary(null, plan), 'Created the plan. Added 2 actions to Home security.');
  });

  it('counts what was added, changed and removed, and names no content', () => {
    const kept = anAction({ what: 'Fit a video doorbell' });
    const dropped = anAction({ what: 'Ask the landlord' });
    const before = aPlan()
      .with('home-security', kept, dropped)
      .withContact(aContact({ name: 'Bronwen Tallis' }))
      .withCodeWord('kingfisher')
      .build();
    const after = aPlan()
      .with('home-security', { ...kept, status: 'done' })
      .with('travel-and-routines', anAction())
      .withCodeWord('heron')
      .reviewedOn('2027-02-01')
      .build();
    const summary = changeSummary(before, after);
    assert.equal(
      summary,
      'Changed an action in Home security. Removed an action from Home security. ' +
        'Added an action to Travel and routines. Removed an emergency contact. Changed the code word. ' +
        'Set the plan’s review date.',
    );
    for (const secret of ['kingfisher', 'heron', 'Bronwen', 'doorbell', 'landlord', '2027'])
      assert.ok(!summary.includes(secret));
  });

  it('is empty when nothing changed', () => {
    const plan = aPlan().with('children', anAction()).build();
    assert.equal(changeSummary(plan, structuredClone(plan)), '');
  });
});

describe('openActionCount', () => {
  it('counts actions to do or in progress across sections', () => {
    const plan = aPlan()
      .with('home-security', anAction({ status: 'to_do' }), anAction({ status: 'done' }))
      .with('children', anAction({ status: 'in_progress' }), anAction({ status: 'not_needed' }))
      .build();
    assert.equal(openActionCount(plan), 2);
  });
});
