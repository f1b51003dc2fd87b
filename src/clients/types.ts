import type { Cert } from '../core/cert.ts';
import type { Plan } from '../core/plan.ts';
import type { ClientId, Context, Installation, RenderDetail, TrustSource, Verdict } from '../types.ts';

export interface Client {
  readonly id: ClientId;
  /** What is installed, where. An empty list means "not installed" (not an error). */
  detect(ctx: Context): Promise<Installation[]>;
  /** The store this installation uses now, resolved from env and config files (no network, no spawning when avoidable). */
  trust(inst: Installation, ctx: Context): Promise<TrustSource>;
  /**
   * How the client prints a verification failure (for the verdict table). `port`, when given and not 443,
   * goes into the URLs the client prints (npm's request line, pip's index, git's remote); `detail` gives the URL,
   * the server's certificate and the store, which some clients quote.
   */
  render(
    v: Omit<Verdict, 'printed'>,
    host: string,
    port?: number,
    inst?: Installation,
    detail?: RenderDetail,
  ): string;
  /**
   * Plain-data changes that make this client trust `bundlePath` (never weakening verification). `roots` says
   * what the bundle adds, for a client that could trust the OS store natively instead (Node).
   */
  plan(inst: Installation, bundlePath: string, ctx: Context, roots?: PlanRoots): Plan;
  /** Run the real client once against `url`: ground truth. */
  check(inst: Installation, url: string, ctx: Context): Promise<Verdict>;
  /**
   * Set when running something here cannot show this client's real result (the Docker daemon verifies
   * registries, not the CLI certifix could run): `check` and `fix`'s proof list the client as not run, with
   * this reason, instead of a verdict that would be wrong. `check()` is then never called.
   */
  readonly unobservable?: string;
}

/** What `fix` knows about the roots of the bundle when it plans a client. */
export interface PlanRoots {
  /** Roots the bundle adds beyond Mozilla's that the OS store lacks: from a --ca file or a CA variable's file. */
  outsideOs: readonly Cert[];
}
