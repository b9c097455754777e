// Broken inputs for the bad-input tables, made once per test process in a temp dir: Numerai-like
// directories that each lack one thing (era, targets, feature columns) or hold a corrupt
// train.parquet, and lone files that are not what their name says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDuck, sqlString } from '../../harness/duck.ts';
import { FIXTURE } from '../helpers/bad-input.ts';

export interface BadFiles {
  /** the pandas-written fixture, read-only: the one good data directory */
  fixture: string;
  /** a directory with a readme and nothing Numerai in it */
  notNumerai: string;
  /** Numerai-like directories whose train.parquet is broken as named */
  noEra: string;
  noTarget: string;
  noFeatures: string;
  truncated: string;
  randomBytes: string;
  csvAsParquet: string;
  /** lone files: a truncated parquet, random bytes, a CSV renamed .parquet, an empty file */
  truncatedFile: string;
  randomFile: string;
  csvFile: string;
  emptyFile: string;
  /** config files for --config, each wrong in the way its name says */
  config: Record<'badYaml' | 'list' | 'unknownKey' | 'wrongType' | 'notArray' | 'unknownFeatureSet', string>;
}

const CONFIGS: Record<keyof BadFiles['config'], string> = {
  badYaml: 'eval:\n  seeds: [1, 2\n',
  list: '- data\n- eval\n',
  unknownKey: 'eval:\n  seed: [1, 2]\n',
  wrongType: 'cv:\n  folds: four\n',
  notArray: 'eval:\n  seeds: 42\n',
  unknownFeatureSet: `data:\n  dir: ${JSON.stringify(FIXTURE)}\n  feature_set: tiny\n`,
};

const SIDE_FILES = ['features.json', 'validation.parquet', 'live.parquet', 'train_benchmark_models.parquet', 'validation_benchmark_models.parquet'];

let made: BadFiles | null = null;

/** Makes (once per process) every broken input the tables use; removed when the process exits. */
export async function badFiles(): Promise<BadFiles> {
  if (made) return made;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-bad-files-'));
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const train = path.join(FIXTURE, 'train.parquet');
  const bytes = fs.readFileSync(train);
  const csv = 'id,era,target,feature_a\nn1,0001,0.5,2\nn2,0001,0.25,3\n';
  // a fixed, seeded-free pattern: bytes that are neither parquet nor text
  const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 251));

  const notNumerai = path.join(root, 'not-numerai');
  fs.mkdirSync(notNumerai);
  fs.writeFileSync(path.join(notNumerai, 'README.txt'), 'holiday photos\n');

  const con = await openDuck(1);
  const cols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(train)})`)).getRowObjects().map((r) => String(r.column_name));
  const numeraiLike = async (name: string, write: (out: string) => Promise<void> | void): Promise<string> => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    for (const f of SIDE_FILES) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
    await write(path.join(dir, 'train.parquet'));
    return dir;
  };
  const without = (drop: (c: string) => boolean) => async (out: string) => {
    const keep = cols.filter((c) => !drop(c)).map((c) => `"${c}"`).join(', ');
    await con.run(`COPY (SELECT ${keep} FROM read_parquet(${sqlString(train)})) TO ${sqlString(out)} (FORMAT parquet)`);
  };
  const files = {
    fixture: FIXTURE,
    notNumerai,
    noEra: await numeraiLike('no-era', without((c) => c === 'era')),
    noTarget: await numeraiLike('no-target', without((c) => c.startsWith('target'))),
    noFeatures: await numeraiLike('no-features', without((c) => c.startsWith('feature_'))),
    truncated: await numeraiLike('truncated', (out) => fs.writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length / 2)))),
    randomBytes: await numeraiLike('random-bytes', (out) => fs.writeFileSync(out, noise)),
    csvAsParquet: await numeraiLike('csv-as-parquet', (out) => fs.writeFileSync(out, csv)),
    truncatedFile: path.join(root, 'truncated.parquet'),
    randomFile: path.join(root, 'random.parquet'),
    csvFile: path.join(root, 'renamed-csv.parquet'),
    emptyFile: path.join(root, 'empty.csv'),
    config: {} as BadFiles['config'],
  };
  for (const [name, text] of Object.entries(CONFIGS)) {
    const file = path.join(root, `${name}.yaml`);
    fs.writeFileSync(file, text);
    files.config[name as keyof BadFiles['config']] = file;
  }
  con.closeSync();
  fs.writeFileSync(files.truncatedFile, bytes.subarray(0, Math.floor(bytes.length / 2)));
  fs.writeFileSync(files.randomFile, noise);
  fs.writeFileSync(files.csvFile, csv);
  fs.writeFileSync(files.emptyFile, '');
  made = files;
  return files;
}
