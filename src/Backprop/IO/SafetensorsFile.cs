using Backprop.NN;

namespace Backprop.IO;

/// <summary>The contents of a safetensors file: tensors (F16 and BF16 as float32, the integer types as int64), their dtypes in the file, and the metadata.</summary>
/// <param name="Tensors">The tensors by name, in file order.</param>
/// <param name="Dtypes">Each tensor's dtype in the file (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL).</param>
/// <param name="Metadata">The string pairs of the header's __metadata__.</param>
public sealed record SafetensorsFile(StateDict Tensors, IReadOnlyDictionary<string, string> Dtypes, IReadOnlyDictionary<string, string> Metadata);
