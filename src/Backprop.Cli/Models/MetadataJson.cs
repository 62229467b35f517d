using System.Text.Json.Serialization;
using Backprop.Cli.Training;

namespace Backprop.Cli.Models;

/// <summary>
/// The JSON of the figures and options kept in file metadata, source-generated so that the NativeAOT build needs
/// no reflection: NaN and infinities are written as names, so that no figure can make a save fail.
/// </summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TrainOptions))]
[JsonSerializable(typeof(GptOptions))]
[JsonSerializable(typeof(List<EpochRecord>))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(IReadOnlyList<float>))]
internal sealed partial class MetadataJson : JsonSerializerContext;
