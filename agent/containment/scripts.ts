/**
 * The shell around a step when it runs in a PID namespace. Bash is what every agent host has
 * already (steps run in it), so the namespace's init is a few lines of it rather than a binary
 * to build or ship.
 */

/**
 * PID 1 of the namespace. `$1` is the step. A signal from outside the namespace reaches PID 1
 * only through a handler, so SIGTERM is trapped and passed to every process of the namespace
 * (`kill -1` spares only the caller); the step's exit status becomes the namespace's. When it
 * exits the kernel kills whatever the step left behind, however it detached itself.
 * The first `wait` always runs: a step that ends at once is reaped by bash before anything could
 * look for it in `/proc`, and only `wait` still knows its status (without it a quick `exit 3`
 * was reported as success about one time in eight). The loop then asks the namespace's own
 * `/proc` whether the step is still there rather than calling `wait` again after a trap: bash's
 * `wait` for a child it already reaped inside the trap can block forever while other processes live.
 */
export const INIT_SCRIPT = `trap 'kill -TERM -1 2>/dev/null' TERM
bash -c "$1" &
pid=$!
wait "$pid"
rc=$?
while [ -d "/proc/$pid" ]; do wait "$pid"; rc=$?; done
exit "$rc"`;

/**
 * Runs first in the new namespaces with the namespace's root privileges: hides the given paths
 * (the engine's data dir) under an empty read-only tmpfs, then becomes the step user (when
 * `becomeUser` is given, a `setpriv` command line) and execs the init.
 * Arguments: `$1` init script, `$2` step, then the paths to hide.
 */
export function preludeScript(becomeUser: string[] | undefined): string {
  const become = becomeUser ? `${becomeUser.join(" ")} -- ` : "";
  return `init=$1; step=$2; shift 2
for p in "$@"; do
  mount -t tmpfs -o ro,size=4k,mode=000 sluice-hidden "$p" || { echo "sluice: cannot hide $p from the step" >&2; exit 125; }
done
exec ${become}bash -c "$init" sluice-init "$step"`;
}
