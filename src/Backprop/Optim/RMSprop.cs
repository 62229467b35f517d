using System.Numerics.Tensors;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// RMSprop, as torch.optim.RMSprop: v ← αv + (1−α)g²; with <c>centered</c> the running mean of g is
/// subtracted from v; p ← p − lr·g/(√v + ε), through a momentum buffer when momentum &gt; 0.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="alpha">α, the smoothing constant.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient.</param>
    /// <param name="momentum">The momentum factor.</param>
    /// <param name="centered">Normalise by the estimated variance instead of the second moment.</param>
    public RMSprop(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(parameters, learningRate)
    {
        if (!(alpha >= 0f && alpha <= 1f && eps >= 0f && weightDecay >= 0f && momentum >= 0f))
        {
            throw new ArgumentException($"RMSprop: alpha {alpha} must be in [0, 1]; eps {eps}, weight decay {weightDecay} and momentum {momentum} must be >= 0.", nameof(alpha));
        }

        Alpha = alpha;
        Eps = eps;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
    }

    /// <summary>α.</summary>
    public float Alpha { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>The L2 penalty.</summary>
    public float WeightDecay { get; }

    /// <summary>The momentum factor.</summary>
    public float Momentum { get; }

    /// <summary>Whether the variance estimate is centred.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames => field ??= [.. (string[])["square_avg"], .. Centered ? ["grad_avg"] : (string[])[], .. Momentum > 0f ? ["momentum_buffer"] : (string[])[]];

    /// <inheritdoc/>
    protected override int ScratchSlots => WeightDecay != 0f ? 2 : 1;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        var scratch = Scratch(index, start, param.Length);
        if (WeightDecay != 0f)
        {
            var decayed = Scratch(index, start, param.Length, 1);
            TensorPrimitives.MultiplyAdd(param, WeightDecay, grad, decayed);
            grad = decayed;
        }

        var v = Buffer(index, "square_avg", start, param.Length);
        TensorPrimitives.Multiply(v, Alpha, v);
        TensorPrimitives.Multiply(grad, grad, scratch);
        TensorPrimitives.MultiplyAdd(scratch, 1f - Alpha, v, v);
        if (Centered)
        {
            var gAvg = Buffer(index, "grad_avg", start, param.Length);
            TensorPrimitives.Multiply(gAvg, Alpha, gAvg);
            TensorPrimitives.MultiplyAdd(grad, 1f - Alpha, gAvg, gAvg);
            TensorPrimitives.Multiply(gAvg, gAvg, scratch);
            TensorPrimitives.Subtract(v, scratch, scratch);
            TensorPrimitives.Sqrt(scratch, scratch);
        }
        else
        {
            TensorPrimitives.Sqrt(v, scratch);
        }

        TensorPrimitives.Add(scratch, Eps, scratch);
        TensorPrimitives.Divide(grad, scratch, scratch);
        if (Momentum > 0f)
        {
            var buffer = Buffer(index, "momentum_buffer", start, param.Length);
            TensorPrimitives.Multiply(buffer, Momentum, buffer);
            TensorPrimitives.Add(buffer, scratch, buffer);
            TensorPrimitives.MultiplyAdd(buffer, -LearningRate, param, param);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(scratch, -LearningRate, param, param);
        }
    }
}
