import { idOf, type K8sObject, typeOf } from "./manifest.ts";
import { modelValidator } from "./models.ts";
import { validateStrictly, type Validate } from "./strict-validate.ts";

/** A schema problem of one object of an overlay. */
export interface Problem {
  object: string;
  message: string;
}

/**
 * Every object against its kind's schema, unknown fields refused. `extra` adds validators for
 * kinds whose schema comes from elsewhere (Strimzi's CRDs); a kind with none is a problem too.
 */
export function validateObjects(objects: K8sObject[], extra: ReadonlyMap<string, Validate>): Problem[] {
  return objects.flatMap((object): Problem[] => {
    const type = typeOf(object);
    const validate = extra.get(type) ?? modelValidator(type);
    if (!validate) return [{ object: idOf(object), message: `no schema known for ${type}` }];
    try {
      const unknown = validateStrictly(validate, object);
      return unknown.map((path) => ({ object: idOf(object), message: `unknown field ${path}` }));
    } catch (err) {
      return [{ object: idOf(object), message: (err as Error).message }];
    }
  });
}
