using Backprop.Cli.Explaining;

namespace Backprop.Tests.Cli;

public class HandDerivedMlpTests
{
    public static TheoryData<int[], string, string> Cases()
    {
        var data = new TheoryData<int[], string, string>();
        foreach (var activation in Enum.GetValues<ExplainActivation>())
        {
            foreach (var loss in Enum.GetValues<ExplainLoss>())
            {
                data.Add([1, 2, 2], activation.ToString(), loss.ToString());
                data.Add([3, 5, 4, 4, 3], activation.ToString(), loss.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void HandDerivedGradientsAgreeWithAutogradEveryStep(int[] layers, string activationName, string lossName)
    {
        var activation = Enum.Parse<ExplainActivation>(activationName);
        var loss = Enum.Parse<ExplainLoss>(lossName);
        var network = new HandDerivedMlp(layers, activation, loss, new Generator(20));
        var x = Tensor.Uniform([1, layers[0]], -1f, 1f, new Generator(2));
        var y = loss == ExplainLoss.CrossEntropy ? Tensor.FromArray([1L], 1) : Tensor.Uniform([1, layers[^1]], 0f, 1f, new Generator(3));
        for (var s = 1; s <= 3; s++)
        {
            var trace = network.Step(s, x, y, 0.1f);
            Assert.True(trace.MaxDifference < 1e-5, $"step {s}: {trace.MaxDifference}");
            Assert.Equal((layers.Length - 1) * 3, trace.Backward.Count);
            Assert.Equal((layers.Length - 1) * 2, trace.Updates.Count);
        }
    }

    [Fact]
    public void TheSeedNetworkShowsTheTutorialQuantitiesInOrder()
    {
        var network = new HandDerivedMlp([1, 2, 2], ExplainActivation.Relu, ExplainLoss.HalfSquared, new Generator(20));
        var trace = network.Step(1, Tensor.FromArray([0.5f], 1, 1), Tensor.FromArray([1f, 0.2f], 1, 2), 0.1f);
        Assert.Equal(["X", "y", "Zh", "H", "Zo", "ŷ"], trace.Forward.Select(l => l.Name));
        Assert.Equal(["Eo", "dWo", "dBo", "Eh", "dWh", "dBh"], trace.Backward.Select(l => l.Name));
        Assert.Equal("Eh = (Eo·Woᵀ) ⊙ relu′(Zh)", trace.Backward[3].Formula);
        Assert.Equal("C = ½·Σ(ŷ − y)²", trace.Cost.Formula);

        // The same network through autograd, independently.
        var g = new Generator(20);
        var wh = (Tensor.Randn([1, 2], g) * MathF.Sqrt(2f)).SetRequiresGrad();
        var wo = (Tensor.Randn([2, 2], g) * 1f).SetRequiresGrad();
        var cost = (((Tensor.FromArray([0.5f], 1, 1).MatMul(wh) + 0.1f).Relu().MatMul(wo) + 0.1f).Relu() - Tensor.FromArray([1f, 0.2f], 1, 2)).Pow(2f).Sum() * 0.5f;
        cost.Backward();
        Assert.Equal(cost.Item(), trace.Cost.Value.Item(), 6);
        Assert.Equal(wh.Grad!.ToArray(), trace.Backward.Single(l => l.Name == "dWh").Value.ToArray());
        Assert.Equal(wo.Grad!.ToArray(), trace.Backward.Single(l => l.Name == "dWo").Value.ToArray());
        var update = trace.Updates.Single(u => u.Name == "Wh");
        Assert.Equal((wh.Detach() - (wh.Grad * 0.1f)).ToArray(), update.New.ToArray());
    }

    [Fact]
    public void BadShapesAreNamed()
    {
        var network = new HandDerivedMlp([1, 2, 2], ExplainActivation.Relu, ExplainLoss.HalfSquared, new Generator(1));
        Assert.Contains("[1, 1]", Assert.Throws<ArgumentException>(() => network.Step(1, Tensor.Ones(1, 3), Tensor.Ones(1, 2), 0.1f)).Message, StringComparison.Ordinal);
        var ce = new HandDerivedMlp([1, 2, 2], ExplainActivation.Relu, ExplainLoss.CrossEntropy, new Generator(1));
        Assert.Contains("class index", Assert.Throws<ArgumentException>(() => ce.Step(1, Tensor.Ones(1, 1), Tensor.FromArray([5L], 1), 0.1f)).Message, StringComparison.Ordinal);
    }
}
