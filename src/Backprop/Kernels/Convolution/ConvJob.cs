namespace Backprop.Kernels.Convolution;

/// <summary>
/// One pass of a convolution over a batch, as the threads that share its images read it: it lives on the
/// caller's stack and goes to them by address, so that a pass allocates no closure.
/// </summary>
/// <param name="pass">The pass.</param>
/// <param name="geometry">The convolution's shape.</param>
/// <param name="source">What the pass reads per image: x for the forward and the weight gradient, dy for the input gradient.</param>
/// <param name="weight">The kernel for the forward and the input gradient; dy for the weight gradient.</param>
/// <param name="target">What it writes: y, dx, or the per-share sums of the weight gradient, <see cref="PartLength"/> each.</param>
internal struct ConvJob(ConvPass pass, ConvGeometry geometry, float[] source, float[] weight, float[] target)
{
    /// <summary>The pass.</summary>
    public readonly ConvPass Pass = pass;

    /// <summary>The convolution's shape.</summary>
    public readonly ConvGeometry Geometry = geometry;

    /// <summary>x, or dy for the input gradient.</summary>
    public readonly float[] Source = source;

    /// <summary>The kernel, or dy for the weight gradient.</summary>
    public readonly float[] Weight = weight;

    /// <summary>y, dx, or the weight gradient's per-share sums.</summary>
    public readonly float[] Target = target;

    /// <summary>The forward's bias, if any.</summary>
    public float[]? Bias;

    /// <summary>Whether the weight gradient packs col straight from the image.</summary>
    public bool ImplicitColumns;

    /// <summary>Whether the weight gradient's shares are summed as [taps, Cout] per group (transposed at the end).</summary>
    public bool Transposed;

    /// <summary>The length of each share's sum in <see cref="Target"/> (the weight gradient).</summary>
    public int PartLength;

    /// <summary>The shares the batch is split into.</summary>
    public int Parts;
}
