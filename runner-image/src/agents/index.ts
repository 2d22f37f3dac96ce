// Picks the agent backend named in spec.agent.backend. The model-backed ones
// are loaded only when used, so a scripted run starts fast.
import type { AgentContext, StoryAgent } from './agent.ts';
import { CliAgent } from './cli/agent.ts';
import { ScriptedAgent } from './scripted/agent.ts';

export async function createAgent(ctx: AgentContext): Promise<StoryAgent> {
  switch (ctx.agent.backend) {
    case 'scripted':
      return new ScriptedAgent(ctx);
    case 'cli':
      return new CliAgent(ctx);
    case 'langchain': {
      const { LangChainAgent } = await import('./langchain/agent.ts');
      return new LangChainAgent(ctx);
    }
  }
}
