/*
 * A stand-in run as a child process of a bench, so its CPU and memory stay out of the measured
 * backend's process, as a real cluster's or GitHub's would. The child announces itself with a
 * `ready` message, then answers each message the parent sends with one message, in order, and
 * exits on `stop`. `bench/clusters.ts` and `bench/github.ts` are the two children.
 */
import { ChildProcess, fork } from 'node:child_process';

type Message = { type: string };

/** The parent's handle on one stand-in child process. */
export class StandInProcess<Answer extends Message, Question extends Message> {
  private readonly waiting: Array<(message: Answer) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (message: Answer | { type: 'watch' }) => {
      // The TypeScript loader reports every file it compiles over IPC; those are no answers.
      if (message.type !== 'watch') {
        this.waiting.shift()?.(message as Answer);
      }
    });
  }

  /** Forks `file` under Backstage's TypeScript loader and waits for its `ready` message. */
  static async start<A extends Message, Q extends Message>(
    file: string,
    args: string[],
    name: string,
  ): Promise<{
    process: StandInProcess<A, Q>;
    ready: Extract<A, { type: 'ready' }>;
  }> {
    const child = fork(file, args, {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const process = new StandInProcess<A, Q>(child, name);
    const ready = await process.next<'ready'>();
    return { process, ready: ready as Extract<A, { type: 'ready' }> };
  }

  private next<T extends Answer['type']>(): Promise<
    Extract<Answer, { type: T }>
  > {
    return new Promise((resolve, reject) => {
      this.waiting.push(message => resolve(message as any));
      this.child.once('exit', code =>
        reject(new Error(`${this.name} exited with ${code}`)),
      );
    });
  }

  async ask<T extends Answer['type']>(
    message: Question,
  ): Promise<Extract<Answer, { type: T }>> {
    const answer = this.next<T>();
    this.child.send(message);
    return answer;
  }

  async stop() {
    if (this.child.exitCode !== null || !this.child.connected) {
      return;
    }
    const exited = new Promise(resolve => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
