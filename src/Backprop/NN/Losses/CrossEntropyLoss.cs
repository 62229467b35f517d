namespace Backprop.NN.Losses;

/// <summary>
/// Cross-entropy of logits against int64 class indices, or against class probabilities, as
/// torch.nn.CrossEntropyLoss: inputs [N, C], [N, C, d1, …] (a class per pixel or token) or [C]; optional class
/// weights, an ignored index, and label smoothing ε (the target becomes (1 − ε) on the class plus ε/C
/// everywhere). The common case (no weights, nothing ignored, [N, C]) runs the fused kernel
/// (<see cref="Tensor.CrossEntropy(Tensor, Tensor, double)"/>).
/// </summary>
public sealed class CrossEntropyLoss : Loss
{
    /// <summary>Makes the loss.</summary>
    /// <param name="reduction">How per-sample losses are combined; the mean is weighted by the targets' class weights.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="weight">A float32 weight per class, or null.</param>
    /// <param name="ignoreIndex">A target value that contributes nothing (PyTorch's default −100).</param>
    public CrossEntropyLoss(Reduction reduction = Reduction.Mean, double labelSmoothing = 0, Tensor? weight = null, long ignoreIndex = -100)
        : base(reduction)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CrossEntropyLoss: label smoothing must be in [0, 1].");
        }

        LabelSmoothing = labelSmoothing;
        Weight = ClassTargets.CheckWeight("CrossEntropyLoss", weight);
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>ε, the label smoothing.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The class weights, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>The target value that is ignored.</summary>
    public long IgnoreIndex { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (target.DType.IsFloatingPoint())
        {
            return Probabilities(input, target);
        }

        var (rows, labels, lossShape, anyIgnored) = ClassTargets.Flatten("CrossEntropyLoss", input, target, IgnoreIndex);
        ClassTargets.CheckClasses("CrossEntropyLoss", Weight, rows.Dims[1]);
        if (Weight is null && !anyIgnored && Reduction != Reduction.BatchMean && rows.DType == DType.Float32)
        {
            var fused = Tensor.CrossEntropyChecked(rows, labels, (float)LabelSmoothing);
            return Reduction == Reduction.None ? fused.Reshape(lossShape) : Reduce(fused);
        }

        var (losses, denominator) = ClassTargets.Weighted(rows.LogSoftmax(1), labels, Weight, IgnoreIndex, LabelSmoothing);
        return ClassTargets.Reduce(Reduction, losses, denominator, lossShape);
    }

    /// <summary>Soft targets: −Σ_c w_c·t_c·log p_c per sample, t smoothed by ε; the mean is over the samples.</summary>
    private Tensor Probabilities(Tensor input, Tensor target)
    {
        if (!input.Dims.AsSpan().SequenceEqual(target.Dims))
        {
            throw new ArgumentException($"CrossEntropyLoss: a float target holds class probabilities shaped like the input {Kernels.Shapes.Format(input.Dims)}, but it is {Kernels.Shapes.Format(target.Dims)}; class indices must be int64 (convert them with Long()).", nameof(target));
        }

        var classDim = input.Rank == 1 ? 0 : 1;
        var classes = input.Dims[classDim];
        ClassTargets.CheckClasses("CrossEntropyLoss", Weight, classes);
        var smoothed = LabelSmoothing > 0 ? (target * (1 - LabelSmoothing)) + (LabelSmoothing / classes) : target;
        var terms = input.LogSoftmax(classDim) * smoothed;
        if (Weight is not null)
        {
            var shape = Enumerable.Repeat(1, input.Rank).ToArray();
            shape[classDim] = classes;
            terms *= Weight.Reshape(shape).To(input.DType);
        }

        return Reduce(-terms.Sum(classDim));
    }
}
