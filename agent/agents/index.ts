// Chooses and builds the proposer: claude (Anthropic API), openai (any OpenAI-compatible server) or
// mutate (no LLM). "auto" means claude when an Anthropic key is set, mutate otherwise.
import { UserError } from '../../harness/errors.ts';
import type { Config, Secrets } from '../config.ts';
import { createClaudeAgent } from './claude.ts';
import { createMutateAgent } from './mutate.ts';
import { createOpenAiAgent } from './openai.ts';
import type { Agent, AgentDeps, AgentName } from './types.ts';

export type AgentKind = AgentName | 'auto';

export type * from './types.ts';

/** The agent name "auto" resolves to for these secrets. */
export function resolveAgentKind(kind: AgentKind, secrets: Secrets): AgentName {
  if (kind === 'auto') return secrets.anthropicApiKey ? 'claude' : 'mutate';
  return kind;
}

/** Builds the agent; claude without ANTHROPIC_API_KEY is a UserError. */
export function createAgent(kind: AgentKind, config: Config, secrets: Secrets, deps: AgentDeps = {}): Agent {
  const name = resolveAgentKind(kind, secrets);
  switch (name) {
    case 'claude': return createClaudeAgent(config, secrets, deps);
    case 'openai': return createOpenAiAgent(config, secrets, deps);
    case 'mutate': return createMutateAgent(config, deps);
    default: throw new UserError(`unknown agent "${String(kind)}"`, 'it is not one of claude, openai, mutate, auto', 'pass --agent claude, --agent openai or --agent mutate');
  }
}
