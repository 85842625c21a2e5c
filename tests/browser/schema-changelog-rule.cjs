// A graphql-inspector diff rule (`./dev test` runs it against graphql/released.graphql): a
// breaking change passes only when graphql/CHANGELOG.md lists its path (`Type.field`, in
// backticks) under "## Unreleased"; a removal passes only if the released schema had already
// deprecated what it removes, listed or not.
const fs = require("fs");
const path = require("path");
const { CriticalityLevel, ChangeType } = require("@graphql-inspector/core");

const changelog = fs.readFileSync(
  process.env.CARBOT_SCHEMA_CHANGELOG || path.join(__dirname, "../../graphql/CHANGELOG.md"), "utf8");
const unreleased = (changelog.split(/^## /m).find((s) => s.startsWith("Unreleased")) || "");
const listed = new Set([...unreleased.matchAll(/`([^`]+)`/g)].map((m) => m[1]));

const REMOVALS = new Set([
  ChangeType.FieldRemoved, ChangeType.EnumValueRemoved, ChangeType.InputFieldRemoved,
  ChangeType.TypeRemoved, ChangeType.FieldArgumentRemoved,
]);

// The released definition a removal takes away, if it had `@deprecated`.
function wasDeprecated(oldSchema, change) {
  const [typeName, member] = (change.path || "").split(".");
  const type = oldSchema && oldSchema.getType(typeName);
  if (!type) return false;
  if (!member) return false; // types carry no @deprecated
  const item = type.getFields ? type.getFields()[member] : type.getValue && type.getValue(member);
  return Boolean(item) && item.deprecationReason != null;
}

module.exports = ({ changes, oldSchema }) =>
  changes.map((change) => {
    if (change.criticality.level !== CriticalityLevel.Breaking) return change;
    if (REMOVALS.has(change.type) && !wasDeprecated(oldSchema, change)) {
      return { ...change, message: `${change.message} (deprecate it in a release first)` };
    }
    if (!listed.has(change.path)) {
      return { ...change, message: `${change.message} (not listed under "Unreleased" in graphql/CHANGELOG.md)` };
    }
    return { ...change, criticality: { ...change.criticality, level: CriticalityLevel.Dangerous } };
  });
