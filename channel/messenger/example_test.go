package messenger_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/messenger"
)

func ExampleSetPersistentMenu() {
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.URL.Path, string(body))
		fmt.Fprint(w, `{"result":"success"}`)
	}))
	defer graph.Close()

	cfg := messenger.Config{PageAccessToken: "t", AppSecret: "s", VerifyToken: "v", BaseURL: graph.URL}
	err := messenger.SetPersistentMenu(context.Background(), cfg, []parley.Button{{Title: "Talk to a human", Payload: "human"}})
	fmt.Println(err)
	// Output:
	// /me/messenger_profile {"persistent_menu":[{"call_to_actions":[{"payload":"human","title":"Talk to a human","type":"postback"}],"composer_input_disabled":false,"locale":"default"}]}
	// <nil>
}
