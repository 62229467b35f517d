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

    /// <summary>y = conv(x, w) + bias by Winograd's F(2×2, 3×3), the kernel given as its transform: a 3×3 forward, or the input gradient written as one.</summary>
    Winograd,

    /// <summary>Each share's Σ (A·dy·Aᵀ) ⊙ V over its tiles, for a Winograd weight gradient.</summary>
    WinogradKernelGrad,
}
