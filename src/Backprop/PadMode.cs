namespace Backprop;

/// <summary>How <see cref="Tensor.Pad"/> fills the new border, as torch.nn.functional.pad's modes.</summary>
public enum PadMode
{
    /// <summary>A constant value (0 by default).</summary>
    Constant,

    /// <summary>The mirror image without the edge: [1, 2, 3] padded by 2 gives [3, 2, 1, 2, 3, 2, 1].</summary>
    Reflect,

    /// <summary>The edge value repeated: [1, 2, 3] padded by 2 gives [1, 1, 1, 2, 3, 3, 3].</summary>
    Replicate,

    /// <summary>The tensor wrapped around: [1, 2, 3] padded by 2 gives [2, 3, 1, 2, 3, 1, 2].</summary>
    Circular,
}
