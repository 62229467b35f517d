namespace Backprop.NN.Losses;

/// <summary>
/// Negative log-likelihood of log-probabilities [N, C] (or [N, C, d1, …], or [C]) against int64 class indices,
/// as torch.nn.NLLLoss: optional class weights (the mean is weighted by them) and an ignored index.
/// </summary>
public sealed class NLLLoss : Loss
{
    /// <summary>Makes the loss.</summary>
    /// <param name="reduction">How per-sample losses are combined.</param>
    /// <param name="weight">A float32 weight per class, or null.</param>
    /// <param name="ignoreIndex">A target value that contributes nothing (PyTorch's default −100).</param>
    public NLLLoss(Reduction reduction = Reduction.Mean, Tensor? weight = null, long ignoreIndex = -100)
        : base(reduction)
    {
        Weight = ClassTargets.CheckWeight("NLLLoss", weight);
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The class weights, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The target value that is ignored.</summary>
    public long IgnoreIndex { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        var (rows, labels, lossShape, _) = ClassTargets.Flatten("NLLLoss", input, target, IgnoreIndex);
        ClassTargets.CheckClasses("NLLLoss", Weight, rows.Dims[1]);
        var (losses, denominator) = ClassTargets.Weighted(rows, labels, Weight, IgnoreIndex, 0f);
        return ClassTargets.Reduce(Reduction, losses, denominator, lossShape);
    }
}
