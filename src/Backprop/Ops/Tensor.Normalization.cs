using Backprop.Kernels;
using Backprop.Kernels.Normalization;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Batch normalization of [N, C] or [N, C, *] over the batch and positions of each channel, as
    /// PyTorch's batch_norm: in training (or without running statistics) each channel is normalized with
    /// the batch's mean and biased variance, and the running statistics, when given, move towards the
    /// batch's (mean, and unbiased variance) by <paramref name="momentum"/>; otherwise the running
    /// statistics normalize. Then y = x̂·weight + bias per channel.
    /// </summary>
    /// <param name="input">The input, [N, C, *].</param>
    /// <param name="runningMean">The running mean, [C], updated in place in training; or null.</param>
    /// <param name="runningVar">The running variance, [C], updated in place in training; or null.</param>
    /// <param name="weight">The scale γ, [C], or null for 1.</param>
    /// <param name="bias">The shift β, [C], or null for 0.</param>
    /// <param name="training">Whether to normalize with the batch's statistics and update the running ones.</param>
    /// <param name="momentum">The running statistics' update weight.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <returns>The normalized input.</returns>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireFloating("BatchNorm", input);
        if (input.Rank < 2)
        {
            throw new ArgumentException($"BatchNorm: input {Shapes.Format(input.Dims)} must be [N, C] or [N, C, *].", nameof(input));
        }

        int n = input.Dims[0], c = input.Dims[1];
        var plane = input.Numel / Math.Max(1, n * c);
        CheckChannelVector("BatchNorm", "running_mean", runningMean, c, input, anyFloat: true);
        CheckChannelVector("BatchNorm", "running_var", runningVar, c, input, anyFloat: true);
        CheckChannelVector("BatchNorm", "weight", weight, c, input);
        CheckChannelVector("BatchNorm", "bias", bias, c, input);
        var layout = new NormLayout(c, 1, c, n, plane, c);
        var useBatch = training || runningMean is null || runningVar is null;
        if (useBatch && layout.GroupSize <= 1 && training)
        {
            throw new ArgumentException($"BatchNorm: input {Shapes.Format(input.Dims)} has one value per channel; training needs more than one to take a variance.", nameof(input));
        }

        var float64 = input._dtype == DType.Float64;
        var (mean, variance) = !useBatch ? (Doubles(runningMean!), Doubles(runningVar!)) : BatchStatistics(input, layout);
        if (useBatch && training && runningMean is not null && runningVar is not null)
        {
            var unbiased = layout.GroupSize / (double)(layout.GroupSize - 1);
            MoveTowards(runningMean, mean, 1, momentum);
            MoveTowards(runningVar, variance, unbiased, momentum);
        }

        // Float64 normalizes as tensor ops: with the batch's statistics recomputed there, so that they are differentiable.
        return float64
            ? BatchNormComposed(input, weight, bias, useBatch ? null : mean, useBatch ? null : variance, eps)
            : Normalize("BatchNorm", input, layout, mean, variance, eps, weight, bias, useBatch);
    }

    /// <summary>Each channel's mean and biased variance over the batch and positions (float32 by the kernel, float64 by tensor ops).</summary>
    private static (double[] Mean, double[] Variance) BatchStatistics(Tensor input, NormLayout layout)
    {
        if (input._dtype == DType.Float64)
        {
            var detached = input.Detach();
            var dims = Enumerable.Range(0, input.Rank).Where(d => d != 1).ToArray();
            return (detached.Mean(dims).ToArray<double>(), detached.Var(dims, unbiased: false).ToArray<double>());
        }

        var (mean, variance) = (new double[layout.Groups], new double[layout.Groups]);
        NormKernel.Statistics(layout, input.Data, mean, variance);
        return (mean, variance);
    }

    /// <summary>A running statistic moved towards a batch's: r = (1 − momentum)·r + momentum·factor·batch, in its own dtype.</summary>
    private static void MoveTowards(Tensor running, double[] batch, double factor, double momentum)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            var value = momentum * batch[i] * factor;
            if (running._dtype == DType.Float64)
            {
                var r = running.Storage<double>();
                r[i] = ((1 - momentum) * r[i]) + value;
            }
            else
            {
                var r = running.Data;
                r[i] = (float)(((1 - momentum) * r[i]) + value);
            }
        }

        running.BumpVersion();
    }

    /// <summary>A float32 or float64 tensor's elements as doubles.</summary>
    private static double[] Doubles(Tensor t) => t._dtype == DType.Float64 ? t.ToArray<double>() : Array.ConvertAll(t.Data, v => (double)v);

    /// <summary>
    /// Layer normalization over the last dimensions (<paramref name="normalizedShape"/>), as PyTorch's
    /// layer_norm: each row is normalized with its own mean and biased variance, then scaled and shifted
    /// elementwise.
    /// </summary>
    /// <param name="input">The input, [*, normalizedShape].</param>
    /// <param name="normalizedShape">The trailing dimensions normalized together.</param>
    /// <param name="weight">The scale, of <paramref name="normalizedShape"/>, or null for 1.</param>
    /// <param name="bias">The shift, of <paramref name="normalizedShape"/>, or null for 0.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <returns>The normalized input.</returns>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        RequireFloating("LayerNorm", input);
        if (normalizedShape.Length == 0 || normalizedShape.Length > input.Rank || !input.Dims.AsSpan(input.Rank - normalizedShape.Length).SequenceEqual(normalizedShape))
        {
            throw new ArgumentException($"LayerNorm: input {Shapes.Format(input.Dims)} must end in the normalized shape {Shapes.Format(normalizedShape)}.", nameof(normalizedShape));
        }

        CheckLayerNormAffine("weight", weight, normalizedShape, input);
        CheckLayerNormAffine("bias", bias, normalizedShape, input);

        if (input._dtype == DType.Float64)
        {
            return LayerNormComposed(input, normalizedShape.Length, weight, bias, eps);
        }

        var width = Shapes.Numel(normalizedShape);
        var rows = input.Numel / Math.Max(1, width);
        // The statistics are op outputs too, so that a scope recycles them; backward checks that they are still there.
        int[] statShape = [rows];
        var meanTensor = NewOutput(statShape);
        var invstdTensor = NewOutput(statShape);
        var result = NewOutput(input.Dims);
        LayerNormKernel.Forward(input.Data, rows, width, weight?.Data, bias?.Data, (float)eps, result.Data, meanTensor.Data, invstdTensor.Data);
        if (NeedsGrad(input) || (weight is not null && NeedsGrad(weight)) || (bias is not null && NeedsGrad(bias)))
        {
            var inputs = NormOperands(input, weight, bias);
            var state = (meanTensor, invstdTensor, rows, width, hasWeight: weight is not null, hasBias: bias is not null, normalizedDims: normalizedShape.Length, eps);
            result.Record("LayerNorm", inputs, state, static (s, _, x, dy) =>
            {
                var (input, weight, bias) = NormInputs(x, s.hasWeight, s.hasBias);
                var dx = input.RequiresGrad ? RentGradArray(input.Numel) : null;
                var dWeight = weight is { RequiresGrad: true } ? weight.GradAccumulator() : default;
                var dBias = bias is { RequiresGrad: true } ? bias.GradAccumulator() : default;
                LayerNormKernel.Backward(input.Data, dy, s.rows, s.width, s.meanTensor.Data, s.invstdTensor.Data, weight?.Data, dx, dWeight, dBias);
                if (dx is not null)
                {
                    input.DepositGrad(dx, input.Dims, owned: true);
                }
            }, [.. inputs, meanTensor, invstdTensor], graph: static (s, _, dy, x) => Recompute(s, dy, x, static (s, x) =>
            {
                var (v, w, b) = NormInputs(x, s.hasWeight, s.hasBias);
                return LayerNormComposed(v, s.normalizedDims, w, b, s.eps);
            }));
        }

        return result;
    }

    /// <summary>Throws unless LayerNorm's <paramref name="name"/> (weight or bias) is absent or has the normalized shape and the input's dtype.</summary>
    private static void CheckLayerNormAffine(string name, Tensor? t, int[] normalizedShape, Tensor input)
    {
        if (t is not null && (!t.Dims.AsSpan().SequenceEqual(normalizedShape) || t._dtype != input._dtype))
        {
            throw new ArgumentException($"LayerNorm: {name} {Shapes.Format(t.Dims)} ({t._dtype.Name()}) must have the normalized shape {Shapes.Format(normalizedShape)} and the input's dtype, {input._dtype.Name()}.", name);
        }
    }

    /// <summary>
    /// Group normalization of [N, C, *], as PyTorch's group_norm: the channels of each sample are split
    /// into <paramref name="numGroups"/> groups, each normalized with its own mean and biased variance,
    /// then scaled and shifted per channel.
    /// </summary>
    /// <param name="input">The input, [N, C, *].</param>
    /// <param name="numGroups">The number of groups; it divides C.</param>
    /// <param name="weight">The scale, [C], or null for 1.</param>
    /// <param name="bias">The shift, [C], or null for 0.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <returns>The normalized input.</returns>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireFloating("GroupNorm", input);
        if (input.Rank < 2 || numGroups <= 0 || input.Dims[1] % numGroups != 0)
        {
            throw new ArgumentException($"GroupNorm: input {Shapes.Format(input.Dims)} must be [N, C, *] with C divisible by {numGroups} groups.", nameof(numGroups));
        }

        int n = input.Dims[0], c = input.Dims[1];
        CheckChannelVector("GroupNorm", "weight", weight, c, input);
        CheckChannelVector("GroupNorm", "bias", bias, c, input);
        if (input._dtype == DType.Float64)
        {
            return GroupNormComposed(input, numGroups, weight, bias, eps);
        }

        var plane = input.Numel / Math.Max(1, n * c);
        var perGroup = c / numGroups;
        var layout = new NormLayout(n * numGroups, perGroup, 1, perGroup, plane, c);
        var mean = new double[layout.Groups];
        var variance = new double[layout.Groups];
        NormKernel.Statistics(layout, input.Data, mean, variance);
        return Normalize("GroupNorm", input, layout, mean, variance, eps, weight, bias, batchStatistics: true, numGroups);
    }

    /// <summary>The fused float32 normalization: BatchNorm (<paramref name="groups"/> 0) or GroupNorm with the statistics given.</summary>
    private static Tensor Normalize(string op, Tensor input, NormLayout layout, double[] mean, double[] variance, double eps, Tensor? weight, Tensor? bias, bool batchStatistics, int groups = 0)
    {
        var invstd = new double[variance.Length];
        for (var i = 0; i < invstd.Length; i++)
        {
            invstd[i] = 1 / Math.Sqrt(variance[i] + eps);
        }

        var result = NewOutput(input.Dims);
        NormKernel.Apply(layout, input.Data, mean, invstd, weight?.Data, bias?.Data, result.Data);
        if (NeedsGrad(input) || (weight is not null && NeedsGrad(weight)) || (bias is not null && NeedsGrad(bias)))
        {
            var inputs = NormOperands(input, weight, bias);
            result.Record(op, inputs, dy =>
            {
                var planes = input.Numel / Math.Max(1, layout.Plane);
                var dot = BufferPool<double>.Rent(planes);
                var sum = BufferPool<double>.Rent(planes);
                var dx = input.RequiresGrad ? RentZeroedGradArray(input.Numel) : null;
                NormKernel.Backward(layout, input.Data, dy, mean, invstd, weight?.Data, batchStatistics, dx, dot, sum);
                if (dx is not null)
                {
                    input.DepositGrad(dx, input.Dims, owned: true);
                }

                if (weight is { RequiresGrad: true })
                {
                    NormKernel.SumPerChannel(dot, layout.Channels, weight.GradAccumulator());
                }

                if (bias is { RequiresGrad: true })
                {
                    NormKernel.SumPerChannel(sum, layout.Channels, bias.GradAccumulator());
                }

                BufferPool<double>.Return(dot);
                BufferPool<double>.Return(sum);
            }, inputs, graph: Recomputed(x =>
            {
                var (v, w, b) = NormInputs(x, weight is not null, bias is not null);
                return groups > 0 ? GroupNormComposed(v, groups, w, b, eps) : BatchNormComposed(v, w, b, batchStatistics ? null : mean, batchStatistics ? null : variance, eps);
            }));
        }

        return result;
    }

    /// <summary>Checks a per-channel vector: [C], of the input's dtype (or, with <paramref name="anyFloat"/>, float32 or float64).</summary>
    private static void CheckChannelVector(string op, string name, Tensor? t, int channels, Tensor input, bool anyFloat = false)
    {
        var dtypeFits = t is not null && (anyFloat ? t.DType is DType.Float32 or DType.Float64 : t.DType == input.DType);
        if (t is not null && (t.Rank != 1 || t.Dims[0] != channels || !dtypeFits))
        {
            var dtype = anyFloat ? "float32 or float64" : input.DType.Name();
            throw new ArgumentException($"{op}: {name} {Shapes.Format(t.Dims)} ({t.DType.Name()}) must be {dtype} [{channels}], one value per channel of input {Shapes.Format(input.Dims)}.", name);
        }
    }
}
