using System.Numerics.Tensors;
using Backprop.NN;

namespace Backprop.Optim;

/// <summary>
/// Adagrad, as torch.optim.Adagrad: g ← g + wd·p; s ← s + g²; p ← p − lr/(1 + (t − 1)·lr_decay) · g/(√s + ε),
/// with s starting at <c>initialAccumulatorValue</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] OptionNames = ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"];
    private static readonly string[] SumState = ["sum"];

    /// <summary>Makes the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="learningRateDecay">The decay of the learning rate per step.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient.</param>
    /// <param name="initialAccumulatorValue">The starting value of the sum of squares.</param>
    /// <param name="eps">ε, added to √s.</param>
    public Adagrad(IEnumerable<Parameter> parameters, float learningRate = 0.01f, float learningRateDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : this([new ParamGroup(parameters)], learningRate, learningRateDecay, weightDecay, initialAccumulatorValue, eps)
    {
    }

    /// <summary>Makes the optimizer over parameter groups; each group may set "lr", "lr_decay", "weight_decay", "initial_accumulator_value" and "eps".</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="learningRateDecay">The default decay of the learning rate.</param>
    /// <param name="weightDecay">The default L2 penalty.</param>
    /// <param name="initialAccumulatorValue">The default starting sum.</param>
    /// <param name="eps">The default ε.</param>
    public Adagrad(IEnumerable<ParamGroup> groups, float learningRate = 0.01f, float learningRateDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : base(groups, OptionNames, [learningRate, learningRateDecay, weightDecay, initialAccumulatorValue, eps])
    {
        foreach (var group in ParamGroups)
        {
            if (group["lr_decay"] < 0f || group["weight_decay"] < 0f || group["initial_accumulator_value"] < 0f || group["eps"] < 0f)
            {
                throw new ArgumentException($"Adagrad: lr_decay {group["lr_decay"]}, weight_decay {group["weight_decay"]}, initial_accumulator_value {group["initial_accumulator_value"]} and eps {group["eps"]} must be >= 0.", nameof(learningRateDecay));
            }
        }
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StateNames(float[] options) => SumState;

    /// <inheritdoc/>
    protected override int ScratchSlots(float[] options) => 2;

    /// <inheritdoc/>
    protected override void Update(int index, int start, Span<float> param, ReadOnlySpan<float> grad)
    {
        var o = Options(index);
        float lr = o[0], lrDecay = o[1], weightDecay = o[2], eps = o[4];
        var sum = Buffer(index, "sum", start, param.Length);
        if (IsFirstUpdate(index))
        {
            sum.Fill(o[3]);
        }

        if (weightDecay != 0f)
        {
            var decayed = Scratch(index, start, param.Length, 1);
            TensorPrimitives.MultiplyAdd(param, weightDecay, grad, decayed);
            grad = decayed;
        }

        var scratch = Scratch(index, start, param.Length);
        TensorPrimitives.Multiply(grad, grad, scratch);
        TensorPrimitives.Add(sum, scratch, sum);
        TensorPrimitives.Sqrt(sum, scratch);
        TensorPrimitives.Add(scratch, eps, scratch);
        TensorPrimitives.Divide(grad, scratch, scratch);
        var clr = lr / (1f + ((StepCount - 1) * lrDecay));
        TensorPrimitives.MultiplyAdd(scratch, -clr, param, param);
    }
}
