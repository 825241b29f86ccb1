import ajvCompiler from "@fastify/ajv-compiler";
import fastJsonStringifyCompiler from "@fastify/fast-json-stringify-compiler";
import type { FastifyServerOptions } from "fastify";

/** What Fastify passes a schema compiler for one part of one route. */
interface RouteSchema {
  schema?: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
}
type Serializer = (data: unknown) => string;
type SerializerBuilder = (externalSchemas: unknown, serializerOpts: unknown) => (route: RouteSchema) => Serializer;
/** An Ajv validate function as Fastify calls it: `errors` after a failure, `schemaEnv` to pass the parent for root coercion. */
type Validator = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type ValidatorBuilder = (externalSchemas: unknown, ajvOpts: unknown) => (route: RouteSchema) => Validator;

/**
 * Fastify's own default builders (fast-json-stringify, Ajv): Fastify's dependencies, imported by
 * name (not declared in package.json: the build bundles them, resolved where Fastify's are).
 */
const defaultSerializerBuilder = (): SerializerBuilder => (fastJsonStringifyCompiler as unknown as () => SerializerBuilder)();
const defaultValidatorBuilder = (): ValidatorBuilder => (ajvCompiler as unknown as () => ValidatorBuilder)();

export interface LazyCompilers {
  /** Fastify's `schemaController` option. */
  schemaController: NonNullable<FastifyServerOptions["schemaController"]>;
  /** Compiles the schemas not compiled yet; returns how many there were. */
  compileAllNow(): number;
}

const byApp = new WeakMap<object, LazyCompilers>();

/** Remembers the compilers of a server, for {@link compileRouteSchemas}. */
export function rememberCompilers(app: object, compilers: LazyCompilers): void {
  byApp.set(app, compilers);
}

/** Compiles every route schema (bodies, parameters, responses) of a server built by `buildApiServer` not compiled yet; returns how many. */
export function compileRouteSchemas(app: object): number {
  return byApp.get(app)?.compileAllNow() ?? 0;
}

/**
 * Fastify's validators (Ajv) and response serializers (fast-json-stringify), each compiled on the
 * route's first request instead of all at `ready()`: compiling the API's ~400 schemas took most
 * of its start (issue 13: 0.7–0.9 s of the 2.6 s before the UI answered). The same compilers
 * and options as Fastify's defaults; only the moment changes. Two consequences: a schema that
 * does not compile fails its route's first request (500) instead of the start — the API tests
 * compile them all ({@link compileRouteSchemas}); and, a custom compiler to Fastify, header
 * schemas are not lower-cased for us: name headers in lower case (as Node gives them).
 */
export function lazyCompilers(): LazyCompilers {
  const pending = new Set<() => unknown>();
  /** One compiled function per route part, made on first use. */
  const lazily = <F>(compile: () => F): (() => F) => {
    let compiled: F | undefined;
    const ensure = () => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(ensure);
      }
      return compiled;
    };
    pending.add(ensure);
    return ensure;
  };
  const buildSerializer: SerializerBuilder = (externalSchemas, opts) => {
    let compiler: ReturnType<SerializerBuilder> | undefined;
    return (route) => {
      const ensure = lazily(() => (compiler ??= defaultSerializerBuilder()(externalSchemas, opts))(route));
      return (data) => ensure()(data);
    };
  };
  const buildValidator: ValidatorBuilder = (externalSchemas, opts) => {
    let compiler: ReturnType<ValidatorBuilder> | undefined;
    return (route) => {
      const ensure = lazily(() => (compiler ??= defaultValidatorBuilder()(externalSchemas, opts))(route));
      const validate = ((data: unknown, ctx?: unknown) => (ctx === undefined ? ensure()(data) : ensure()(data, ctx))) as Validator;
      Object.defineProperties(validate, {
        errors: { get: () => ensure().errors },
        schemaEnv: { get: () => ensure().schemaEnv },
      });
      return validate;
    };
  };
  return {
    // Fastify's types for these factories are narrower than what it passes and accepts at run time.
    schemaController: { compilersFactory: { buildSerializer, buildValidator } } as NonNullable<FastifyServerOptions["schemaController"]>,
    compileAllNow: () => {
      const n = pending.size;
      for (const ensure of [...pending]) ensure();
      return n;
    },
  };
}
