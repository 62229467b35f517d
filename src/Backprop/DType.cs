namespace Backprop;

/// <summary>The element type of a tensor, as PyTorch's torch.dtype.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "PyTorch's dtype names, which users look for.")]
public enum DType : byte
{
    /// <summary>32-bit floating point (torch.float32), the default and the fast path of every op.</summary>
    Float32,

    /// <summary>64-bit floating point (torch.float64), for precision.</summary>
    Float64,

    /// <summary>64-bit signed integer (torch.int64): indices, class labels, token ids.</summary>
    Int64,

    /// <summary>Boolean (torch.bool): the results of comparisons, masks.</summary>
    Bool,
}
