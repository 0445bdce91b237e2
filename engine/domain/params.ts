/**
 * Build parameters: a pipeline declares them (`params: {NAME: {default?, description?,
 * options?}}`), a trigger may set only those, and no name may be one the shell, the dynamic
 * loader, a language runtime or Sluice itself reads from the environment — a parameter is data
 * for the steps, never a way to run code or redirect the step's tools. Pure: no I/O.
 */
import { InputError } from "../../common/errors.ts";

export type ParamDeclaration = {
  default?: string | undefined;
  description?: string | undefined;
  options?: string[] | undefined;
};

export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Exact names (compared upper-cased) the shell, the loader or common tools interpret. */
const RESERVED_NAMES = new Set([
  // the shell and the login environment
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "PWD",
  "OLDPWD",
  "ENV",
  "BASH_ENV",
  "SHELLOPTS",
  "BASHOPTS",
  "PS1",
  "PS2",
  "PS3",
  "PS4",
  "IFS",
  "CDPATH",
  "GLOBIGNORE",
  "PROMPT_COMMAND",
  "HISTFILE",
  "FIGNORE",
  "TMPDIR",
  "TERM",
  "TERMINFO",
  "INPUTRC",
  "MAIL",
  "MAILPATH",
  "POSIXLY_CORRECT",
  // the C library and the loader
  "GCONV_PATH",
  "GETCONF_DIR",
  "GLIBC_TUNABLES",
  "HOSTALIASES",
  "LOCALDOMAIN",
  "LOCPATH",
  "NLSPATH",
  "RES_OPTIONS",
  "TZDIR",
  // language runtimes that load code named by the environment
  "NODE_OPTIONS",
  "NODE_PATH",
  "PERLLIB",
  "RUBYOPT",
  "RUBYLIB",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "CLASSPATH",
  "NPM_CONFIG_USERCONFIG",
  "GIT_CONFIG_GLOBAL",
  "GIT_CONFIG_SYSTEM",
  "GIT_SSH",
  "GIT_SSH_COMMAND",
  "GIT_EXEC_PATH",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "EDITOR",
  "VISUAL",
  "PAGER",
  "LESSOPEN",
]);

/** Prefixes (compared upper-cased) of reserved families. */
const RESERVED_PREFIXES = [
  "SLUICE_",
  "LD_",
  "BASH_FUNC_",
  "BASH_",
  "DYLD_",
  "MALLOC_",
  "PYTHON",
  "PERL5",
  "NPM_CONFIG_",
  "GIT_CONFIG_",
  "LC_",
];

/** Why `name` cannot be a parameter, or null when it can. */
export function paramNameProblem(name: string): string | null {
  if (!PARAM_NAME.test(name)) return "must be a letter or _ followed by letters, digits or _ (at most 64)";
  const upper = name.toUpperCase();
  if (RESERVED_NAMES.has(upper) || upper === "LANG" || upper === "LANGUAGE") {
    return `"${name}" is reserved: the shell, the loader or a tool reads it from the environment`;
  }
  const prefix = RESERVED_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix)
    return `"${name}" is reserved: names starting with ${prefix} are read by Sluice, the shell, the loader or a tool`;
  return null;
}

/**
 * The parameters a build runs with: those given (each must be declared, and one of its options
 * when it has any), then the declared defaults. Refuses an undeclared name with the names it knows.
 */
export function resolveParams(
  declared: Readonly<Record<string, ParamDeclaration>>,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const known = Object.keys(declared);
  const undeclared = Object.keys(given).filter((name) => !Object.hasOwn(declared, name));
  if (undeclared.length > 0) {
    throw new InputError(
      `Unknown parameter${undeclared.length > 1 ? "s" : ""} ${undeclared.map((n) => `"${n}"`).join(", ")}: ${
        known.length > 0 ? `this pipeline declares ${known.join(", ")}` : "this pipeline declares no parameters"
      }`,
      { undeclared, declared: known },
    );
  }
  const params: Record<string, string> = {};
  for (const name of known) {
    const declaration = declared[name] as ParamDeclaration;
    const value = Object.hasOwn(given, name) ? (given[name] as string) : declaration.default;
    if (value === undefined) continue;
    if (declaration.options && !declaration.options.includes(value)) {
      throw new InputError(`Parameter "${name}" must be one of ${declaration.options.join(", ")}`, {
        param: name,
        options: declaration.options,
      });
    }
    params[name] = value;
  }
  return params;
}
