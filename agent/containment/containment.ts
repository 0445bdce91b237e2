/**
 * How a job's processes are contained, chosen once when the agent starts:
 *
 * - `pid-namespace`: every step runs as PID 1's child in a new PID and mount namespace with its
 *   own `/proc` (`unshare --pid --fork --kill-child --mount-proc`; through a user namespace when
 *   the agent is not root). When the step ends or is killed, the namespace's init exits and the
 *   kernel kills every process left in it — `setsid`, double-forked and `nohup` ones too — and
 *   the agent learns it from one exit notification, with no scan.
 * - `env-marker` (the fallback, where namespaces are not allowed): the step's process group, then
 *   every process whose environment carries the lease marker, killed pass after pass until none
 *   is left.
 *
 * Both run the step as the unprivileged step user when the agent is root, with no new
 * privileges, and die with the agent (`setpriv --pdeathsig`), so a crashed engine leaves
 * nothing running; the startup sweep catches what the fallback's marker finds.
 */
import { spawn } from "node:child_process";
import os from "node:os";
import { leaseMarker, type MarkerReaper } from "./marker-reaper.ts";
import { withoutContainmentNoise } from "./noise.ts";
import { childrenOf, processesWithEnv, signal } from "./proc.ts";
import { INIT_SCRIPT, preludeScript } from "./scripts.ts";
import { type ProcessControl, type StepOutput, StepProcess } from "./step-process.ts";
import { ensureStepUser, type StepUser } from "./step-user.ts";

export type ContainmentMode = "auto" | "namespace" | "marker";
export type Mechanism = "pid-namespace" | "env-marker";

export type ContainmentInfo = {
  mechanism: Mechanism;
  /** The namespace is made inside a user namespace (the agent is not root). */
  userNamespace: boolean;
  /** Who steps run as. */
  stepUser: string;
  /** Paths a step cannot see (hidden under an empty tmpfs in its mount namespace). */
  hiddenPaths: string[];
  /** Why the fallback is used, when it is. */
  fallbackReason?: string;
};

export type ContainmentOptions = {
  mode: ContainmentMode;
  /** Only when the agent runs as root. */
  stepUser: string;
  /** Hidden from steps in a namespace (the engine's data dir). */
  hide: string[];
  /** The environment the start-up probes run with (PATH to find unshare and setpriv). */
  env: Record<string, string>;
};

type SpawnStep = {
  leaseId: string;
  run: string;
  cwd: string;
  env: Record<string, string>;
  output: StepOutput;
  /** A secret the process reads from file descriptor 3 (the checkout's credentials). */
  fd3Input?: string | undefined;
};

export class Containment {
  private constructor(
    readonly info: ContainmentInfo,
    /** Set when steps run as another user (the agent is root). */
    readonly user: StepUser | undefined,
    private readonly reaper: MarkerReaper,
    private readonly commandFor: (run: string) => string[],
  ) {}

  static async create(options: ContainmentOptions, reaper: MarkerReaper): Promise<Containment> {
    const root = process.getuid?.() === 0;
    const user = root ? await ensureStepUser(options.stepUser) : undefined;
    const stepUser = user?.name ?? os.userInfo().username;
    const setprivOk = await succeeds(["setpriv", "--pdeathsig", "KILL", "--", "true"], options.env);
    const outer = setprivOk ? ["setpriv", "--pdeathsig", "KILL", ...(root ? [] : ["--no-new-privs"]), "--"] : [];
    // Changing the user clears the parent-death signal (`unshare --kill-child` set it on the
    // namespace's init): set it again, after the change, so the init dies with its unshare.
    const become =
      user && setprivOk
        ? [
            "setpriv",
            `--reuid=${user.uid}`,
            `--regid=${user.gid}`,
            "--clear-groups",
            "--no-new-privs",
            "--pdeathsig",
            "KILL",
          ]
        : undefined;
    const hide = options.hide;

    let fallbackReason: string | undefined;
    if (options.mode !== "marker") {
      const unshare = root
        ? ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"]
        : ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "--mount-proc"];
      const namespaced = (run: string) => [
        ...outer,
        ...unshare,
        "--",
        "bash",
        "-c",
        preludeScript(become),
        "sluice-job",
        INIT_SCRIPT,
        run,
        ...hide,
      ];
      const problem = await probe(
        namespaced(`[ "$(cat /proc/1/comm)" = bash ] && echo contained`),
        "contained",
        options.env,
      );
      if (!problem && (!root || become)) {
        return new Containment(
          { mechanism: "pid-namespace", userNamespace: !root, stepUser, hiddenPaths: hide },
          user,
          reaper,
          namespaced,
        );
      }
      fallbackReason = problem ?? "setpriv is missing: steps cannot be switched to the step user";
      if (options.mode === "namespace") {
        throw new Error(`SLUICE_CONTAINMENT=namespace, but no PID namespace can be made here: ${fallbackReason}`);
      }
    } else {
      fallbackReason = "SLUICE_CONTAINMENT=marker";
    }
    if (root && !become) throw new Error("setpriv (util-linux) is needed to run steps as the step user");
    return new Containment(
      { mechanism: "env-marker", userNamespace: false, stepUser, hiddenPaths: [], fallbackReason },
      user,
      reaper,
      (run) => [...outer, ...(become ? [...become, "--"] : []), "bash", "-c", run],
    );
  }

  /** Starts a step. Its environment must carry the lease marker (the fallback finds it by that). */
  spawn(step: SpawnStep): StepProcess {
    // In a PID namespace, unshare shares the step's stderr and may complain there as it is killed.
    const output: StepOutput =
      this.info.mechanism === "pid-namespace"
        ? {
            ...step.output,
            onData: (stream, chunk) => {
              const kept = stream === "stderr" ? withoutContainmentNoise(chunk) : chunk;
              if (kept.length > 0) step.output.onData(stream, kept);
            },
          }
        : step.output;
    return new StepProcess(this.control(step.leaseId, step.run), {
      cwd: step.cwd,
      env: step.env,
      output,
      fd3Input: step.fd3Input,
    });
  }

  /**
   * Kills every process still carrying one of these leases' markers (a previous run of the
   * agent crashed): one pass over `/proc` finds them all, then each lease is reaped.
   */
  async sweep(leaseIds: readonly string[]): Promise<number> {
    const found = await processesWithEnv(new Set(leaseIds.map(leaseMarker)));
    const leases = new Set(found.map((f) => f.entry.slice("SLUICE_LEASE_ID=".length)));
    await Promise.all([...leases].map((lease) => this.reaper.killAll(lease)));
    return found.length;
  }

  private control(leaseId: string, run: string): ProcessControl {
    const argv = this.commandFor(run);
    if (this.info.mechanism === "pid-namespace") {
      return {
        argv,
        // The group reaches unshare (which ignores it), the init (which passes it to everyone in
        // the namespace) and the step's shell.
        terminate: (pid) => signal(-pid, "SIGTERM"),
        // Killing the init kills the namespace; unshare exits once the kernel has reaped it all.
        kill: (pid) => {
          const init = childrenOf(pid)[0];
          if (init === undefined || !signal(init, "SIGKILL")) signal(-pid, "SIGKILL");
        },
        reap: async () => true,
      };
    }
    return {
      argv,
      terminate: (pid) => {
        signal(-pid, "SIGTERM");
        void this.reaper.signal(leaseId, "SIGTERM");
      },
      kill: (pid) => {
        signal(-pid, "SIGKILL");
        void this.reaper.killAll(leaseId);
      },
      reap: async (pid) => {
        signal(-pid, "SIGKILL");
        return this.reaper.killAll(leaseId);
      },
    };
  }
}

function succeeds(argv: string[], env: Record<string, string>): Promise<boolean> {
  return probe(argv, undefined, env).then((problem) => problem === undefined);
}

/** Runs a command; undefined when it exits 0 (and prints `expect`), else what went wrong. */
function probe(argv: string[], expect: string | undefined, env: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const [command, ...args] = argv as [string, ...string[]];
    const child = spawn(command, args, { cwd: "/", stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.once("error", (err) => resolve(err.message));
    child.once("close", (code) => {
      if (code === 0 && (expect === undefined || out.includes(expect))) resolve(undefined);
      else resolve(out.trim().split("\n").pop() || `exit ${code}`);
    });
  });
}
