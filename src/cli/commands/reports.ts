/** `ruaflow reports`: list stored reports. */
import { loadAppConfig, openApp, usingApp } from '../../app/deps.js';
import { storedReports } from '../../jobs/reports.js';
import { EXIT } from '../exit.js';
import type { CommonOptions } from '../options.js';
import { renderReports, reportJson } from '../reports-output.js';

export interface ReportsOptions extends CommonOptions {
  readonly domain?: string;
}

export async function run(values: ReportsOptions): Promise<number> {
  return usingApp(openApp(await loadAppConfig(values), values.db, 'read'), (app) => {
    const reports = storedReports(app.db, { domain: values.domain });
    process.stdout.write(values.json ? `${JSON.stringify(reports.map(reportJson))}\n` : renderReports(reports));
    return EXIT.ok;
  });
}
