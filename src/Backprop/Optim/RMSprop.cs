using System.Numerics.Tensors;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// RMSprop, as torch.optim.RMSprop: v ← αv + (1−α)g²; with <c>centered</c> the running mean of g is
/// subtracted from v; p ← p − lr·g/(√v + ε), through a momentum buffer when momentum &gt; 0.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private static readonly string[] OptionNames = ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"];

    /// <summary>Makes the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="alpha">α, the smoothing constant.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient.</param>
    /// <param name="momentum">The momentum factor.</param>
    /// <param name="centered">Normalise by the estimated variance instead of the second moment.</param>
    public RMSprop(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : this([new ParamGroup(parameters)], learningRate, alpha, eps, weightDecay, momentum, centered)
    {
    }

    /// <summary>Makes the optimizer over parameter groups; each group may set "lr", "alpha", "eps", "weight_decay", "momentum" and "centered" (0 or 1).</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="alpha">The default α.</param>
    /// <param name="eps">The default ε.</param>
    /// <param name="weightDecay">The default L2 penalty.</param>
    /// <param name="momentum">The default momentum factor.</param>
    /// <param name="centered">The default for centring.</param>
    public RMSprop(IEnumerable<ParamGroup> groups, float learningRate = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(groups, OptionNames, [learningRate, alpha, eps, weightDecay, momentum, centered ? 1f : 0f])
    {
        foreach (var group in ParamGroups)
        {
            float a = group["alpha"], e = group["eps"], wd = group["weight_decay"], mu = group["momentum"];
            if (!(a >= 0f && a <= 1f && e >= 0f && wd >= 0f && mu >= 0f))
            {
                throw new ArgumentException($"RMSprop: alpha {a} must be in [0, 1]; eps {e}, weight decay {wd} and momentum {mu} must be >= 0.", nameof(alpha));
            }
        }
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames(float[] options) =>
        [.. (string[])["square_avg"], .. options[5] != 0f ? ["grad_avg"] : (string[])[], .. options[4] > 0f ? ["momentum_buffer"] : (string[])[]];

    /// <inheritdoc/>
    protected override int ScratchSlots(float[] options) => options[3] != 0f ? 2 : 1;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        var o = Options(index);
        float lr = o[0], alpha = o[1], eps = o[2], weightDecay = o[3], momentum = o[4];
        var scratch = Scratch(index, start, param.Length);
        if (weightDecay != 0f)
        {
            var decayed = Scratch(index, start, param.Length, 1);
            TensorPrimitives.MultiplyAdd(param, weightDecay, grad, decayed);
            grad = decayed;
        }

        var v = Buffer(index, "square_avg", start, param.Length);
        TensorPrimitives.Multiply(v, alpha, v);
        TensorPrimitives.Multiply(grad, grad, scratch);
        TensorPrimitives.MultiplyAdd(scratch, 1f - alpha, v, v);
        if (o[5] != 0f)
        {
            var gAvg = Buffer(index, "grad_avg", start, param.Length);
            TensorPrimitives.Multiply(gAvg, alpha, gAvg);
            TensorPrimitives.MultiplyAdd(grad, 1f - alpha, gAvg, gAvg);
            TensorPrimitives.Multiply(gAvg, gAvg, scratch);
            TensorPrimitives.Subtract(v, scratch, scratch);
            TensorPrimitives.Sqrt(scratch, scratch);
        }
        else
        {
            TensorPrimitives.Sqrt(v, scratch);
        }

        TensorPrimitives.Add(scratch, eps, scratch);
        TensorPrimitives.Divide(grad, scratch, scratch);
        if (momentum > 0f)
        {
            var buffer = Buffer(index, "momentum_buffer", start, param.Length);
            TensorPrimitives.Multiply(buffer, momentum, buffer);
            TensorPrimitives.Add(buffer, scratch, buffer);
            TensorPrimitives.MultiplyAdd(buffer, -lr, param, param);
        }
        else
        {
            TensorPrimitives.MultiplyAdd(scratch, -lr, param, param);
        }
    }
}
