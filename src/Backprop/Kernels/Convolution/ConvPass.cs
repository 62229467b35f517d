namespace Backprop.Kernels.Convolution;

/// <summary>The three passes of a convolution, as a <see cref="ConvJob"/> names them.</summary>
internal enum ConvPass
{
    /// <summary>y = conv(x, w) + bias.</summary>
    Forward,

    /// <summary>dx = convᵀ(dy, w), through col2im.</summary>
    InputGrad,

    /// <summary>Each share's Σ dy·colᵀ, for the weight gradient.</summary>
    WeightGrad,
}
