using System.Collections;
using System.Text.Json.Nodes;

namespace Backprop.Cli;

/// <summary>
/// Turns the dictionaries, arrays and numbers of a printed JSON document into a <see cref="JsonNode"/> tree, which
/// writes itself without reflection (the NativeAOT build has none for System.Text.Json).
/// </summary>
internal static class JsonTree
{
    /// <summary>The node for a string, number, bool, dictionary with string keys, or sequence of these.</summary>
    public static JsonNode? From(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        ulong u => JsonValue.Create(u),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        IDictionary<string, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, From(p.Value)))),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(From)]),
        _ => throw new ArgumentException($"JsonTree: a {value.GetType().Name} is not a JSON value.", nameof(value)),
    };
}
