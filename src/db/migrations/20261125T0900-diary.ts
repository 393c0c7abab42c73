// Frozen in time: never edit a migration that has shipped, and never import application code here.
import { sql, type Kysely } from 'kysely';

const BEHAVIOURS = [
  'following',
  'contact',
  'publishing',
  'monitoring',
  'loitering',
  'property',
  'watching',
  'messages',
  'calls',
  'social_media',
  'fake_accounts',
  'tracking',
  'gifts',
  'third_parties',
  'turning_up_home',
  'turning_up_work_school',
  'threats',
  'violence',
  'sexual',
  'order_breach',
];
const IMPACTS = ['fear_of_violence', 'alarm_or_distress', 'changed_routine'];
const CHANNELS = [
  'in_person',
  'phone_call',
  'text_message',
  'email',
  'social_media',
  'messaging_app',
  'letter_or_post',
  'through_others',
  'other',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const behaviours = sql.raw(`ARRAY[${BEHAVIOURS.map((b) => `'${b}'`).join(', ')}]::text[]`);
  const impacts = sql.raw(`ARRAY[${IMPACTS.map((i) => `'${i}'`).join(', ')}]::text[]`);
  const channels = sql.raw(CHANNELS.map((c) => `'${c}'`).join(', '));

  await sql`
    -- A diary entry's identity: which case, its number in the case's diary, who recorded it and how. What the
    -- entry says lives in its versions; neither table can be changed in place.
    CREATE TABLE diary_entries (
      organisation_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      case_id uuid NOT NULL,
      entry_number integer NOT NULL CHECK (entry_number > 0),
      origin text NOT NULL CHECK (origin IN ('staff', 'victim', 'import')),
      recorded_by uuid,
      recorded_at timestamptz NOT NULL,
      import_id uuid,
      submission_id uuid NOT NULL,
      PRIMARY KEY (organisation_id, entry_id),
      UNIQUE (organisation_id, case_id, entry_number),
      UNIQUE (organisation_id, submission_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id),
      CHECK ((origin = 'victim') = (recorded_by IS NULL)),
      CHECK ((origin = 'import') = (import_id IS NOT NULL))
    );

    -- Version 1 is the entry as first recorded; each correction adds the next version with its reason.
    -- When it happened is exact (occurred_to is null) or a range the victim is sure it falls within.
    -- Categories stay in clear for filters, charts and escalation rules; everything said is sealed under the
    -- case's data key (description, location, map point, account used, impact in words, witnesses, how
    -- evidence was saved, officer and crime reference).
    CREATE TABLE diary_entry_versions (
      organisation_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      case_id uuid NOT NULL,
      occurred_from timestamptz NOT NULL,
      occurred_to timestamptz,
      behaviours text[] NOT NULL CHECK (cardinality(behaviours) BETWEEN 1 AND 20 AND behaviours <@ ${behaviours}),
      impacts text[] NOT NULL DEFAULT '{}' CHECK (impacts <@ ${impacts}),
      channel text CHECK (channel IN (${channels})),
      perpetrator_id uuid,
      reported_to_police boolean NOT NULL,
      details_sealed bytea NOT NULL,
      correction_reason_sealed bytea,
      recorded_by uuid,
      recorded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, entry_id, version),
      FOREIGN KEY (organisation_id, entry_id) REFERENCES diary_entries (organisation_id, entry_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, perpetrator_id) REFERENCES perpetrators (organisation_id, perpetrator_id),
      FOREIGN KEY (organisation_id, recorded_by) REFERENCES users (organisation_id, user_id),
      CHECK (occurred_to IS NULL OR occurred_to > occurred_from),
      CHECK ((version = 1) = (correction_reason_sealed IS NULL))
    );
    CREATE INDEX diary_entry_versions_case ON diary_entry_versions (organisation_id, case_id, occurred_from);

    -- Removing an entry is a redaction with a reason: the entry and its versions are kept for audit and the
    -- diary shows it as redacted.
    CREATE TABLE diary_entry_redactions (
      organisation_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      case_id uuid NOT NULL,
      reason_sealed bytea NOT NULL,
      redacted_by uuid NOT NULL,
      redacted_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, entry_id),
      FOREIGN KEY (organisation_id, entry_id) REFERENCES diary_entries (organisation_id, entry_id),
      FOREIGN KEY (organisation_id, redacted_by) REFERENCES users (organisation_id, user_id)
    );

    -- Phone numbers, emails and handles the recorder marked in an entry version, blind-indexed like a
    -- perpetrator's identifiers so the two match.
    CREATE TABLE diary_entry_identifiers (
      organisation_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      version integer NOT NULL,
      kind text NOT NULL CHECK (kind IN ('phone', 'email', 'handle')),
      index bytea NOT NULL CHECK (length(index) = 32),
      value_sealed bytea NOT NULL,
      platform text CHECK (length(platform) BETWEEN 1 AND 50),
      PRIMARY KEY (organisation_id, entry_id, version, kind, index),
      FOREIGN KEY (organisation_id, entry_id, version) REFERENCES diary_entry_versions (organisation_id, entry_id, version)
    );
    CREATE INDEX diary_entry_identifiers_match ON diary_entry_identifiers (organisation_id, kind, index);

    -- Evidence files (exhibits) attached to an entry. The original is stored encrypted under the case key,
    -- byte-for-byte, addressed by its SHA-256; its type is what the content says it is.
    CREATE TABLE evidence_files (
      organisation_id uuid NOT NULL,
      evidence_id uuid NOT NULL,
      case_id uuid NOT NULL,
      entry_id uuid NOT NULL,
      exhibit_number integer NOT NULL CHECK (exhibit_number > 0),
      sha256 bytea NOT NULL CHECK (length(sha256) = 32),
      size_bytes bigint NOT NULL CHECK (size_bytes > 0),
      media_type text NOT NULL CHECK (length(media_type) BETWEEN 3 AND 100),
      original_name_sealed bytea NOT NULL,
      metadata_sealed bytea,
      captured_at timestamptz,
      storage_key text NOT NULL,
      uploaded_by uuid,
      uploaded_at timestamptz NOT NULL,
      PRIMARY KEY (organisation_id, evidence_id),
      UNIQUE (organisation_id, case_id, exhibit_number),
      FOREIGN KEY (organisation_id, entry_id) REFERENCES diary_entries (organisation_id, entry_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, uploaded_by) REFERENCES users (organisation_id, user_id)
    );
    CREATE INDEX evidence_files_entry ON evidence_files (organisation_id, entry_id);
    CREATE INDEX evidence_files_case ON evidence_files (organisation_id, case_id, exhibit_number);

    -- Display copies made from an original (thumbnails, EXIF-stripped images); the original is never altered.
    CREATE TABLE evidence_derivatives (
      organisation_id uuid NOT NULL,
      evidence_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('thumbnail', 'display')),
      media_type text NOT NULL,
      size_bytes bigint NOT NULL CHECK (size_bytes > 0),
      width integer NOT NULL CHECK (width > 0),
      height integer NOT NULL CHECK (height > 0),
      storage_key text NOT NULL,
      PRIMARY KEY (organisation_id, evidence_id, kind),
      FOREIGN KEY (organisation_id, evidence_id) REFERENCES evidence_files (organisation_id, evidence_id)
    );

    -- A diary kept elsewhere (paper, spreadsheet, notes app), uploaded as CSV: checked and previewed first,
    -- nothing imported until the user confirms.
    CREATE TABLE diary_imports (
      organisation_id uuid NOT NULL,
      import_id uuid NOT NULL,
      case_id uuid NOT NULL,
      rows_sealed bytea NOT NULL,
      row_count integer NOT NULL CHECK (row_count >= 0),
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL,
      imported_at timestamptz,
      PRIMARY KEY (organisation_id, import_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, created_by) REFERENCES users (organisation_id, user_id)
    );
    ALTER TABLE diary_entries ADD FOREIGN KEY (organisation_id, import_id) REFERENCES diary_imports (organisation_id, import_id);

    -- Escalation the diary shows: which rule, the reason in plain words, and the task it raised to review risk.
    CREATE TABLE diary_escalations (
      organisation_id uuid NOT NULL,
      escalation_id uuid NOT NULL,
      case_id uuid NOT NULL,
      rule text NOT NULL CHECK (length(rule) BETWEEN 1 AND 50),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      detected_at timestamptz NOT NULL,
      task_id uuid,
      PRIMARY KEY (organisation_id, escalation_id),
      FOREIGN KEY (organisation_id, case_id) REFERENCES cases (organisation_id, case_id),
      FOREIGN KEY (organisation_id, task_id) REFERENCES tasks (organisation_id, task_id)
    );
    CREATE INDEX diary_escalations_case ON diary_escalations (organisation_id, case_id, detected_at);
  `.execute(db);

  // The diary is append-only whoever asks: even the table owner cannot UPDATE or DELETE an entry, a version,
  // a redaction, an identifier or an exhibit.
  await sql`
    CREATE FUNCTION diary_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$;
  `.execute(db);
  const appendOnly = [
    'diary_entries',
    'diary_entry_versions',
    'diary_entry_redactions',
    'diary_entry_identifiers',
    'evidence_files',
    'evidence_derivatives',
  ];
  for (const table of appendOnly) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_no_update_or_delete`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
        FOR EACH ROW EXECUTE FUNCTION diary_refuse_change();
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION diary_refuse_change();
    `.execute(db);
  }

  for (const table of [...appendOnly, 'diary_imports', 'diary_escalations']) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`
      CREATE POLICY organisation_isolation ON ${sql.table(table)} TO vigil_app
      USING (organisation_id = vigil_current_organisation())
      WITH CHECK (organisation_id = vigil_current_organisation())
    `.execute(db);
  }
  await sql`
    GRANT SELECT, INSERT ON diary_entries, diary_entry_versions, diary_entry_redactions, diary_entry_identifiers,
      evidence_files, evidence_derivatives, diary_escalations TO vigil_app;
    GRANT SELECT, INSERT, UPDATE ON diary_imports TO vigil_app;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('This migration cannot be reversed; restore from a backup instead.');
}
