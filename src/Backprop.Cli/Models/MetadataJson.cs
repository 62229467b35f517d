using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backprop.Cli.Models;

/// <summary>The JSON settings of the figures kept in file metadata: NaN and infinities are written as names, so that no figure can make a save fail.</summary>
internal static class MetadataJson
{
    public static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
