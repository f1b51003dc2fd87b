/**
 * GeneralName / NameConstraints decoding that keeps raw bytes (IP octets of any length, dNSNames with odd
 * characters), because OpenSSL's checks act on exactly those bytes.
 */
import { children, DerError, oidToString, TAG, type Tlv } from './der.ts';
import { type NameInfo, parseName } from './dn.ts';

/** GeneralName CHOICE tags, as OpenSSL's GEN_* constants. */
export const GEN = {
  OTHER: 0,
  EMAIL: 1,
  DNS: 2,
  X400: 3,
  DIRNAME: 4,
  EDI: 5,
  URI: 6,
  IPADD: 7,
  RID: 8,
} as const;

export interface GeneralName {
  type: number;
  /** IA5 bytes (email, dns, uri), IP octets, otherName value, or raw contents for the rest. */
  value: Buffer;
  /** otherName type-id */
  oid?: string;
  /** directoryName */
  name?: NameInfo;
}

interface GeneralSubtree {
  base: GeneralName;
  /** `nc_minmax_valid`: minimum absent or 0, maximum absent */
  minmaxValid: boolean;
}

export interface NameConstraints {
  permitted: GeneralSubtree[];
  excluded: GeneralSubtree[];
}

function parseGeneralName(t: Tlv): GeneralName {
  if (t.cls !== 2) throw new DerError('GeneralName is not context-tagged');
  switch (t.tag) {
    case GEN.OTHER: {
      const [oid, val] = children(t);
      if (!oid || oid.tag !== TAG.OID || !val) throw new DerError('bad otherName');
      return { type: GEN.OTHER, oid: oidToString(oid.value), value: val.value };
    }
    case GEN.EMAIL:
    case GEN.DNS:
    case GEN.URI:
    case GEN.IPADD:
      if (t.constructed) throw new DerError('constructed string in GeneralName');
      return { type: t.tag, value: t.value };
    case GEN.DIRNAME: {
      const [inner] = children(t);
      if (!inner) throw new DerError('empty directoryName');
      return { type: GEN.DIRNAME, value: inner.raw, name: parseName(inner) };
    }
    case GEN.RID:
      return { type: GEN.RID, value: t.value, oid: oidToString(t.value) };
    case GEN.X400:
    case GEN.EDI:
      return { type: t.tag, value: t.value };
    default:
      throw new DerError('unknown GeneralName tag');
  }
}

export function parseGeneralNames(t: Tlv): GeneralName[] {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('GeneralNames is not a SEQUENCE');
  return children(t).map(parseGeneralName);
}

function parseSubtrees(t: Tlv): GeneralSubtree[] {
  return children(t).map((st) => {
    const [base, ...rest] = children(st);
    if (!base) throw new DerError('empty GeneralSubtree');
    let minmaxValid = true;
    for (const r of rest) {
      if (r.cls !== 2) throw new DerError('bad GeneralSubtree');
      if (r.tag === 1) minmaxValid = false; // maximum present
      if (r.tag === 0 && r.value.some((b) => b !== 0)) minmaxValid = false;
    }
    return { base: parseGeneralName(base), minmaxValid };
  });
}

export function parseNameConstraints(t: Tlv): NameConstraints {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('NameConstraints is not a SEQUENCE');
  const nc: NameConstraints = { permitted: [], excluded: [] };
  for (const c of children(t)) {
    if (c.cls !== 2) throw new DerError('bad NameConstraints');
    if (c.tag === 0) nc.permitted = parseSubtrees(c);
    else if (c.tag === 1) nc.excluded = parseSubtrees(c);
    else throw new DerError('bad NameConstraints tag');
  }
  return nc;
}
