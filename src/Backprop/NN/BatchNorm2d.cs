namespace Backprop.NN;

/// <summary>Batch normalization of [N, C, H, W] per channel, as torch.nn.BatchNorm2d.</summary>
/// <param name="numFeatures">Channels.</param>
/// <param name="eps">Added to the variance before the square root.</param>
/// <param name="momentum">The running statistics' update weight; null for a cumulative average.</param>
/// <param name="affine">Whether γ and β are learned.</param>
/// <param name="trackRunningStats">Whether running statistics are kept.</param>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats)
{
    /// <inheritdoc/>
    protected override string ExpectedShapes => "[N, C, H, W]";

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank) => rank == 4;
}
