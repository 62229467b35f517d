using Backprop.NN;

namespace Backprop.IO;

/// <summary>The contents of a safetensors file: tensors (converted to float32), their original dtypes, and the metadata.</summary>
/// <param name="Tensors">The tensors by name, in file order.</param>
/// <param name="Dtypes">Each tensor's dtype in the file (F32, F64, F16, BF16).</param>
/// <param name="Metadata">The string pairs of the header's __metadata__.</param>
public sealed record SafetensorsFile(StateDict Tensors, IReadOnlyDictionary<string, string> Dtypes, IReadOnlyDictionary<string, string> Metadata);
