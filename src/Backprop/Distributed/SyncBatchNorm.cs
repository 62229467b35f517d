using Backprop.NN;

namespace Backprop.Distributed;

/// <summary>
/// Batch normalization whose training statistics are those of the whole global batch, pooled over the ranks
/// (torch.nn.SyncBatchNorm): each rank sums its share of every channel and of its squares, one all-reduce adds
/// them up, and backward all-reduces their gradients the same way, so that N ranks with batch B/N normalize and
/// learn as one process with batch B. Takes [N, C] or [N, C, …]; the parameters and buffers are BatchNorm's
/// (weight, bias, running_mean, running_var, num_batches_tracked), so a state dict moves between the two.
/// In evaluation, and on one rank, it is plain batch normalization.
/// </summary>
public sealed class SyncBatchNorm : BatchNormBase
{
    private readonly AllReduceFunction _sum;

    /// <summary>Makes the layer.</summary>
    /// <param name="numFeatures">Channels (C of [N, C, …]).</param>
    /// <param name="communicator">The ranks whose batches are pooled.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="momentum">The running statistics' update weight; null for a cumulative average.</param>
    /// <param name="affine">Whether γ and β are learned.</param>
    /// <param name="trackRunningStats">Whether running statistics are kept.</param>
    public SyncBatchNorm(int numFeatures, ICommunicator communicator, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
        : base(numFeatures, eps, momentum, affine, trackRunningStats)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        Communicator = communicator;
        _sum = new AllReduceFunction(communicator);
    }

    /// <summary>The layer that stands for <paramref name="batchNorm"/> over the ranks: the same options, its weights and statistics copied.</summary>
    /// <param name="batchNorm">A BatchNorm1d or BatchNorm2d.</param>
    /// <param name="communicator">The ranks.</param>
    /// <returns>The synchronised layer.</returns>
    public static SyncBatchNorm From(BatchNormBase batchNorm, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(batchNorm);
        var sync = new SyncBatchNorm(batchNorm.NumFeatures, communicator, batchNorm.Eps, batchNorm.Momentum, batchNorm.Affine, batchNorm.TrackRunningStats);
        sync.LoadStateDict(batchNorm.StateDict());
        return sync;
    }

    /// <summary>The ranks whose batches are pooled.</summary>
    public ICommunicator Communicator { get; }

    /// <inheritdoc/>
    protected override string ExpectedShapes => "[N, C] or [N, C, …]";

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank) => rank >= 2;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (!Training || Communicator.Size == 1)
        {
            return base.Forward(input);
        }

        CheckInput(input);

        var c = NumFeatures;
        int[] channels = [.. Enumerable.Range(0, input.Rank).Where(d => d != 1)];
        long[] count = [input.Numel / c];
        Communicator.AllReduce<long>(count, ReduceOp.Sum);

        // One all-reduce for both sums: [2, C], the channel sums and the sums of squares of every rank.
        var local = Tensor.Stack([input.Sum(channels), (input * input).Sum(channels)], 0);
        var global = _sum.Apply(local) * (float)(1.0 / count[0]);
        var mean = global.Select(0, 0);
        var variance = (global.Select(0, 1) - (mean * mean)).Relu();
        int[] shape = [1, c, .. Enumerable.Repeat(1, input.Rank - 2)];
        var output = (input - mean.Reshape(shape)) * (variance + (float)Eps).Rsqrt().Reshape(shape);
        if (Weight is not null && Bias is not null)
        {
            output = (output * Weight.Reshape(shape)) + Bias.Reshape(shape);
        }

        UpdateRunningStatistics(mean, variance, count[0]);
        return output;
    }

    private void UpdateRunningStatistics(Tensor mean, Tensor variance, long count)
    {
        var m = (float)NextMomentum();
        if (RunningMean is null || RunningVar is null)
        {
            return;
        }

        using (Tensor.NoGrad())
        {
            // The running variance is the unbiased one, as PyTorch keeps it.
            var unbiased = variance * (float)(count / (double)Math.Max(1, count - 1));
            RunningMean.MulInPlace(1f - m).AddInPlace(mean.Detach() * m);
            RunningVar.MulInPlace(1f - m).AddInPlace(unbiased.Detach() * m);
        }
    }
}
