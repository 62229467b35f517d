using System.Globalization;

namespace Backprop.NN;

/// <summary>
/// What BatchNorm1d and BatchNorm2d share, as PyTorch's _BatchNorm: the learned <see cref="Weight"/> (γ, ones)
/// and <see cref="Bias"/> (β, zeros), and the buffers running_mean (zeros), running_var (ones) and
/// num_batches_tracked (int64). Training normalizes with the batch's statistics and updates the running
/// ones; evaluation normalizes with the running ones (or the batch's, without tracked statistics).
/// </summary>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    /// <summary>Makes the layer.</summary>
    /// <param name="numFeatures">Channels (C of [N, C, …]).</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="momentum">The running statistics' update weight; null for a cumulative average (1/num_batches_tracked).</param>
    /// <param name="affine">Whether γ and β are learned.</param>
    /// <param name="trackRunningStats">Whether running statistics are kept (and used in evaluation).</param>
    protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures <= 0 || !(eps > 0) || momentum is < 0 or > 1)
        {
            throw new ArgumentException($"{GetType().Name}: numFeatures ({numFeatures}) and eps ({eps}) must be positive and momentum ({momentum}) in [0, 1].", nameof(numFeatures));
        }

        (NumFeatures, Eps, Momentum, Affine, TrackRunningStats) = (numFeatures, eps, momentum, affine, trackRunningStats);
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones(numFeatures)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(numFeatures)));
        }

        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
        }
    }

    /// <summary>Channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>The running statistics' update weight (null: cumulative average).</summary>
    public double? Momentum { get; }

    /// <summary>Whether γ and β are learned.</summary>
    public bool Affine { get; }

    /// <summary>Whether running statistics are kept.</summary>
    public bool TrackRunningStats { get; }

    /// <summary>γ, [C], or null without <see cref="Affine"/>.</summary>
    public Parameter? Weight { get; }

    /// <summary>β, [C], or null without <see cref="Affine"/>.</summary>
    public Parameter? Bias { get; }

    /// <summary>The running mean, [C], or null.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>The running variance, [C], or null.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The training batches seen (int64 scalar), or null.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>The input ranks this layer accepts, for its error message.</summary>
    protected abstract string ExpectedShapes { get; }

    /// <summary>Whether the layer accepts an input of rank <paramref name="rank"/>.</summary>
    /// <param name="rank">The input's rank.</param>
    /// <returns>True when accepted.</returns>
    protected abstract bool AcceptsRank(int rank);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        var momentum = Training ? NextMomentum() : Momentum ?? 0.0;
        var useRunning = !Training && RunningMean is not null;
        return Tensor.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, training: !useRunning, momentum, Eps);
    }

    /// <summary>Throws unless <paramref name="input"/> has a rank this layer takes and <see cref="NumFeatures"/> channels.</summary>
    /// <param name="input">The input.</param>
    protected void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank) || input.Dims[1] != NumFeatures)
        {
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): input {Kernels.Shapes.Format(input.Dims)} must be {ExpectedShapes} with C = {NumFeatures}.", nameof(input));
        }
    }

    /// <summary>
    /// Counts a training batch in num_batches_tracked and returns the running statistics' update weight for it:
    /// <see cref="Momentum"/>, or 1/num_batches_tracked for a cumulative average.
    /// </summary>
    /// <returns>The update weight.</returns>
    protected double NextMomentum()
    {
        if (NumBatchesTracked is null)
        {
            return Momentum ?? 0.0;
        }

        var count = ++NumBatchesTracked.Storage<long>()[0];
        NumBatchesTracked.BumpVersion();
        return Momentum ?? (1.0 / count);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{GetType().Name}({NumFeatures}, eps={PyText.Of(Eps)}, momentum={(Momentum is { } m ? PyText.Of(m) : "None")}, affine={PyText.Of(Affine)}, track_running_stats={PyText.Of(TrackRunningStats)})");
}
