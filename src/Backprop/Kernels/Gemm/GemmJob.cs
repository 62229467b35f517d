namespace Backprop.Kernels;

/// <summary>The operands of one GEMM, and the block of K being worked on.</summary>
internal unsafe struct GemmJob
{
    public float* A, B, C;
    public int M, N, K, P0, Kc, BlockDepth, RowPanels, ColPanels, Threads;
    public bool TransA, TransB, Accumulate, Load;

    /// <summary>Where A is an image's im2col matrix (col or colᵀ), packed from the image instead of read from <see cref="A"/>; else null.</summary>
    public Convolution.ImplicitColumns* Columns;

    /// <summary>This job restricted to the block of K starting at <paramref name="p0"/> (<see cref="BlockDepth"/> deep, or what remains).</summary>
    public readonly GemmJob Block(int p0)
    {
        var block = this;
        block.P0 = p0;
        block.Kc = Math.Min(BlockDepth, K - p0);
        block.Load = Accumulate || p0 > 0;
        return block;
    }
}
