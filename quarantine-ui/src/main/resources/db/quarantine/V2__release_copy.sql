-- Quarantine index, version 2: a release names its copy. release_queue_id is the queue id under which the
-- releasing command writes the recipients' copy into the gateway's queue (staged in hold/ until the claim is
-- complete); release_staged is 1 from the claim until that copy has been sent on to active/ (or the claim was
-- undone), so an interrupted release is completed or undone by the recovery, never reset blindly.

ALTER TABLE recipients ADD COLUMN release_queue_id TEXT;
ALTER TABLE recipients ADD COLUMN release_staged INTEGER NOT NULL DEFAULT 0;

CREATE INDEX recipients_release_staged ON recipients (release_staged, release_queue_id);
