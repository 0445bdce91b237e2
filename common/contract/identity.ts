/** Who am I, sign-in sessions, users, API and agent tokens, and project members. */
import { z } from "zod";
import { Project } from "./catalog.ts";
import { list, Time } from "./shared.ts";

/** The roles a member can have in a project; an instance admin is `admin` everywhere. */
export const MEMBER_ROLES = ["viewer", "developer", "maintainer"] as const;
export const Role = z.enum([...MEMBER_ROLES, "admin"]);
export type Role = z.infer<typeof Role>;

/** What the caller may do in a project; computed by the engine. `canAudit`: read the audit log (maintainers). */
export const Permissions = z.object({
  canRead: z.boolean(),
  canTrigger: z.boolean(),
  canCancel: z.boolean(),
  canEdit: z.boolean(),
  canAudit: z.boolean(),
});
export type Permissions = z.infer<typeof Permissions>;

export const ProjectAccess = Project.extend({ role: Role, permissions: Permissions });
export type ProjectAccess = z.infer<typeof ProjectAccess>;

export const SessionUser = z.object({ username: z.string(), isAdmin: z.boolean() });
export type SessionUser = z.infer<typeof SessionUser>;

/** `GET /v1/me`: the caller, and each project they may read with their role and permissions. */
export const Me = SessionUser.extend({ projects: z.array(ProjectAccess) });
export type Me = z.infer<typeof Me>;

/** `POST /v1/sessions` → a 12-hour session token. */
export const Session = z.object({ token: z.string(), user: SessionUser, expiresAt: Time });
export type Session = z.infer<typeof Session>;

export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be 1-63 lowercase letters, digits, '.', '_' or '-'");

export const SignInRequest = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const NewUserRequest = z.strictObject({
  username: Username,
  password: z.string().min(8, "must be at least 8 characters").max(1000),
  isAdmin: z.boolean().default(false),
});
export type NewUserRequest = z.infer<typeof NewUserRequest>;

export const MemberRequest = z.strictObject({ role: z.enum(MEMBER_ROLES) });
export const TokenRequest = z.strictObject({ name: z.string().min(1).max(100) });

export const User = z.object({ username: z.string(), isAdmin: z.boolean(), createdAt: Time });
export const UserList = list(User);

/** A new token: shown once. */
export const CreatedToken = z.object({ id: z.number().int(), name: z.string(), token: z.string(), createdAt: Time });
export const ApiToken = z.object({
  id: z.number().int(),
  name: z.string(),
  createdAt: Time,
  revokedAt: Time.nullable(),
});
export const ApiTokenList = list(ApiToken);
export const AgentToken = ApiToken.extend({ createdBy: z.string() });
export const AgentTokenList = list(AgentToken);

export const Member = z.object({ username: z.string(), role: z.enum(MEMBER_ROLES) });
export const MemberList = list(Member);

/** The headers a BFF sends with a sign-in: the browser's address, and the key that vouches for it. */
export const CLIENT_ADDRESS_HEADER = "X-Sluice-Client-Address";
export const BFF_KEY_HEADER = "X-Sluice-Bff-Key";
