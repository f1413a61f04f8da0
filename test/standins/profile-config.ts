// A later step of the job: what the JS SDK reads from the shared config file for each profile named
// (loadSharedConfigFiles, as every client of the SDK does). Prints {"profile": {"region": …, "output": …}, …}:
// settings only, never a key.
import { loadSharedConfigFiles } from '@smithy/core/config';

const { configFile } = await loadSharedConfigFiles({ ignoreCache: true });
const settings = (name: string) => {
  const profile = configFile[name];
  return profile ? { region: profile.region, output: profile.output } : null;
};
console.log(JSON.stringify(Object.fromEntries(process.argv.slice(2).map((name) => [name, settings(name)]))));
