// CaptureJobStore on SQL: one row per EPCIS capture job, errors and per-event outcomes as jsonb.
import type { CaptureErrorBehaviour, CaptureJobRecord, CaptureJobStore, CaptureOutcome, CaptureProblem } from '../../domain/ports.js';
import type { SqlClient } from './sql-client.js';

interface JobRow {
  capture_id: string;
  party: string;
  token_id: number;
  behaviour: CaptureErrorBehaviour;
  event_count: number;
  running: boolean;
  success: boolean;
  errors: CaptureProblem[] | string;
  outcomes: CaptureOutcome[] | string;
  created_at: string | Date;
  finished_at: string | Date | null;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const iso = (v: string | Date): string => (v instanceof Date ? v : new Date(v)).toISOString();

export function createSqlCaptureJobStore(db: SqlClient): CaptureJobStore {
  return {
    async insertJob(job) {
      await db.query(
        `INSERT INTO capture_jobs (capture_id, party, token_id, behaviour, event_count, running, success, errors, outcomes)
         VALUES ($1, $2, $3, $4, $5, true, $6, $7::jsonb, '[]'::jsonb)`,
        [job.captureID, job.party, job.tokenId, job.behaviour, job.eventCount, job.errors.length === 0, JSON.stringify(job.errors)],
      );
    },
    async finishJob(captureID, result) {
      await db.query(
        `UPDATE capture_jobs SET running = false, success = $2, errors = $3::jsonb, outcomes = $4::jsonb, finished_at = now()
         WHERE capture_id = $1`,
        [captureID, result.success, JSON.stringify(result.errors), JSON.stringify(result.outcomes)],
      );
    },
    async findJob(captureID) {
      const rows = await db.query<JobRow>(
        `SELECT capture_id, party, token_id, behaviour, event_count, running, success, errors, outcomes, created_at, finished_at
         FROM capture_jobs WHERE capture_id = $1`,
        [captureID],
      );
      const r = rows[0];
      if (!r) return undefined;
      const job: CaptureJobRecord = {
        captureID: r.capture_id,
        party: r.party,
        tokenId: Number(r.token_id),
        behaviour: r.behaviour,
        eventCount: Number(r.event_count),
        running: r.running,
        success: r.success,
        errors: json(r.errors),
        outcomes: json(r.outcomes),
        createdAt: iso(r.created_at),
        finishedAt: r.finished_at === null ? null : iso(r.finished_at),
      };
      return job;
    },
    async failRunningJobs(problem) {
      const rows = await db.query(
        `UPDATE capture_jobs SET running = false, success = false, errors = errors || $1::jsonb, finished_at = now()
         WHERE running RETURNING 1 AS failed`,
        [JSON.stringify([problem])],
      );
      return rows.length;
    },
  };
}
