namespace Backprop.Cli.Models;

/// <summary>One argument of a layer line: positional (no name) or key=value. The value is an int, a double, a string, a bool, null (None) or an object[] tuple.</summary>
internal sealed record LayerArgument(string? Name, object? Value);

/// <summary>
/// One layer of a model file: its PyTorch class name and arguments, the line it came from, and for a
/// Residual block its body and shortcut.
/// </summary>
internal sealed record LayerSpec(string Name, IReadOnlyList<LayerArgument> Arguments, int Line, IReadOnlyList<LayerSpec>? Body = null, IReadOnlyList<LayerSpec>? Shortcut = null);
